import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TRACE_TABLE_INDEXES } from '#shared/store/aws/dynamodb/keys.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const { stack, template } = synthesize();

function tableOf(table: typeof stack.tables.tracesTable) {
  const id = logicalIdOf(stack, table);
  const resource = resourcesOf(template, 'AWS::DynamoDB::GlobalTable')[id];
  if (!resource) throw new Error(`table ${id} not found in the template`);
  return resource;
}

describe('DynamoDB tables', () => {
  it('creates on-demand tables with recovery, TTL and encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: {
            PointInTimeRecoveryEnabled: true,
          },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('retains the tables by default', () => {
    for (const table of [stack.tables.tracesTable, stack.tables.configTable]) {
      expect(tableOf(table).DeletionPolicy).toBe('Retain');
    }
  });

  it.each(TRACE_TABLE_INDEXES.map((index) => [index.indexName, index]))(
    'gives the traces table the %s index',
    (_name, index) => {
      const indexes = tableOf(stack.tables.tracesTable).Properties
        .GlobalSecondaryIndexes as Record<string, unknown>[];

      expect(indexes).toContainEqual({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: {
          ProjectionType: index.projectionType,
          ...(index.nonKeyAttributes
            ? { NonKeyAttributes: index.nonKeyAttributes }
            : {}),
        },
      });
    },
  );

  it('gives the config table no index', () => {
    const properties = tableOf(stack.tables.configTable).Properties;

    expect(properties.GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe('Timestream', () => {
  it('creates a table with memory and magnetic retention', () => {
    template.resourceCountIs('AWS::Timestream::Database', 1);
    template.hasResourceProperties('AWS::Timestream::Table', {
      RetentionProperties: {
        MemoryStoreRetentionPeriodInHours: '24',
        MagneticStoreRetentionPeriodInDays: '365',
      },
      MagneticStoreWriteProperties: { EnableMagneticStoreWrites: true },
    });
  });

  it('retains the database and table by default', () => {
    template.hasResource('AWS::Timestream::Database', {
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::Timestream::Table', {
      DeletionPolicy: 'Retain',
    });
  });
});

describe('OpenSearch domain', () => {
  it('encrypts at rest and between nodes, over HTTPS only', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainName: 'observatory-dev',
      EngineVersion: 'OpenSearch_2.19',
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: {
        EnforceHTTPS: true,
        TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07',
      },
    });
  });

  it('sizes one t3.small node with a 10 GiB gp3 volume by default', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceType: 't3.small.search',
        InstanceCount: 1,
        ZoneAwarenessEnabled: false,
      }),
      EBSOptions: Match.objectLike({ VolumeSize: 10, VolumeType: 'gp3' }),
    });
  });

  it('lets only the roles of log writers and the setup call it', () => {
    const domainId = logicalIdOf(stack, stack.logDomain.domain);
    const domain = resourcesOf(template, 'AWS::OpenSearchService::Domain')[
      domainId
    ];
    const statements = domain?.Properties.AccessPolicies.Statement;
    const roleIds = [
      stack.functions.byName.logs.role,
      stack.functions.byName.firehose.role,
      stack.functions.byName.otlp.role,
      stack.streamIngest.handler?.role,
      stack.logIndexSetup.handler.role,
    ].map((role) => logicalIdOf(stack, role as never));
    const principals = (statements[0].Principal.AWS as unknown[]).map((arn) =>
      JSON.stringify(arn),
    );

    expect(statements).toHaveLength(1);
    expect(statements[0].Effect).toBe('Allow');
    expect(principals.sort()).toEqual(
      roleIds.map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })).sort(),
    );
    expect(statements[0].Action).toEqual([
      'es:ESHttpGet',
      'es:ESHttpPost',
      'es:ESHttpPut',
    ]);
  });

  it('limits the access policy to this domain', () => {
    const domainId = logicalIdOf(stack, stack.logDomain.domain);
    const domain = resourcesOf(template, 'AWS::OpenSearchService::Domain')[
      domainId
    ];
    const resources = JSON.stringify(
      domain?.Properties.AccessPolicies.Statement[0].Resource,
    );

    expect(resources).toContain(':domain/observatory-dev"');
    expect(resources).toContain(':domain/observatory-dev/*"');
  });

  it('publishes its application and slow logs', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      LogPublishingOptions: {
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
      },
    });
    const policies = resourcesOf(template, 'AWS::Logs::ResourcePolicy');

    expect(JSON.stringify(policies)).toContain('es.amazonaws.com');
  });

  it.each(['AppLogs', 'SlowSearchLogs', 'SlowIndexLogs'])(
    'keeps its %s for 30 days',
    (name) => {
      const group = stack.logDomain.node.findChild(name);
      const id = logicalIdOf(stack, group as never);

      expect(
        resourcesOf(template, 'AWS::Logs::LogGroup')[id]?.Properties
          .RetentionInDays,
      ).toBe(30);
    },
  );

  it('stores the index template and retention policy on deploy', () => {
    template.hasResourceProperties('Custom::ObservatoryLogIndexSetup', {
      IndexPrefix: 'observatory-logs',
      RetentionDays: '14',
      TemplateHash: Match.stringLikeRegexp('^[0-9a-f]{16}$'),
    });
  });
});

describe('outputs', () => {
  it('prints the API URL, table names and the search endpoint', () => {
    const outputs = Object.keys(template.findOutputs('*'));

    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'CreateAdminKeyCommand',
        'TracesTableName',
        'ConfigTableName',
        'TimestreamDatabaseName',
        'TimestreamTableName',
        'OpenSearchEndpoint',
      ]),
    );
  });

  it('prints the command that creates the first admin key', () => {
    const configId = logicalIdOf(stack, stack.tables.configTable);
    const command = JSON.stringify(
      template.findOutputs('CreateAdminKeyCommand').CreateAdminKeyCommand
        ?.Value,
    );

    expect(command).toContain('npx tsx scripts/create-key.ts --region ');
    expect(command).toContain(`{"Ref":"${configId}"}`);
    expect(command).toContain('--name admin --scopes admin,ingest,read');
  });
});
