import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { settingsFromContext } from '#infra/stack/context.js';
import { zoneAwarenessOf } from '#infra/stack/log-domain.js';
import { ContextError } from '#infra/stack/settings.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/telemetry';

/** Every context key set, as strings, the way `cdk deploy -c` passes them. */
const CONTEXT = {
  stage: 'prod',
  removalPolicy: 'destroy',
  alarmEmail: 'ops@example.com',
  corsOrigins: 'https://app.example.com, https://admin.example.com',
  logLevel: 'DEBUG',
  metricMemoryRetentionHours: '12',
  metricMagneticRetentionDays: '90',
  traceRetentionDays: '7',
  logRetentionDays: '30',
  cloudWatchLogRetentionDays: '90',
  timestreamDatabase: 'legacy_metrics',
  timestreamTable: 'points',
  metricMagneticWrites: 'false',
  openSearchInstanceType: 'm7g.large.search',
  openSearchInstanceCount: '2',
  openSearchVolumeGiB: '100',
  throttleRateLimit: '50',
  throttleBurstLimit: '100',
  ingestStream: STREAM_ARN,
  logGroupServices: '{"/ecs/checkout":"checkout"}',
};

const { stack, template } = synthesize(CONTEXT);

describe('stack from context', () => {
  it('names the stack, API and domain after the stage', () => {
    expect(stack.stackName).toBe('Observatory-prod');
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'observatory-prod',
    });
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainName: 'observatory-prod',
    });
  });

  it('deletes the stores with the stack when asked to', () => {
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::OpenSearchService::Domain',
      'AWS::Logs::LogGroup',
    ]) {
      for (const resource of Object.values(resourcesOf(template, type))) {
        expect(resource.DeletionPolicy).toBe('Delete');
      }
    }
    template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
  });

  it('uses the existing Timestream table instead of creating one', () => {
    const variables = resourcesOf(template, 'AWS::Lambda::Function')[
      logicalIdOf(stack, stack.functions.byName.metrics)
    ]?.Properties.Environment.Variables;

    template.resourceCountIs('AWS::Timestream::Database', 0);
    template.resourceCountIs('AWS::Timestream::Table', 0);
    expect(variables.OBSERVATORY_TIMESTREAM_DATABASE).toBe('legacy_metrics');
    expect(variables.OBSERVATORY_TIMESTREAM_TABLE).toBe('points');
    expect(variables.OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES).toBe('false');
    expect(variables.OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS).toBe('12');
  });

  it('grants Timestream access on the existing table only', () => {
    const policies = JSON.stringify(resourcesOf(template, 'AWS::IAM::Policy'));

    expect(policies).toContain(':database/legacy_metrics/table/points"');
  });

  it('sizes the domain and spreads two nodes over two zones', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceType: 'm7g.large.search',
        InstanceCount: 2,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
      }),
      EBSOptions: Match.objectLike({ VolumeSize: 100 }),
    });
  });

  it('keeps trace items as configured', () => {
    const variables = resourcesOf(template, 'AWS::Lambda::Function')[
      logicalIdOf(stack, stack.functions.byName.traces)
    ]?.Properties.Environment.Variables;

    expect(variables.OBSERVATORY_TRACE_RETENTION_DAYS).toBe('7');
  });

  it('keeps log indices and CloudWatch logs as configured', () => {
    template.hasResourceProperties('Custom::ObservatoryLogIndexSetup', {
      RetentionDays: '30',
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
    });
  });

  it('sets the functions log level', () => {
    for (const fn of Object.values(stack.functions.byName)) {
      const variables = resourcesOf(template, 'AWS::Lambda::Function')[
        logicalIdOf(stack, fn)
      ]?.Properties.Environment.Variables;
      expect(variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    }
  });

  it('allows the configured CORS origins', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
        AllowHeaders: Match.arrayWith(['authorization', 'x-api-key']),
      }),
    });
  });

  it('throttles the default stage as configured', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      },
    });
  });

  it('reads the existing stream instead of creating one', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 0);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: STREAM_ARN,
    });
  });

  it('names log group services for stream and Firehose logs', () => {
    for (const fn of [
      stack.streamIngest.handler,
      stack.functions.byName.firehose,
    ]) {
      const variables = resourcesOf(template, 'AWS::Lambda::Function')[
        logicalIdOf(stack, fn as never)
      ]?.Properties.Environment.Variables;
      expect(variables.OBSERVATORY_LOG_GROUP_SERVICES).toBe(
        '{"/ecs/checkout":"checkout"}',
      );
    }
  });

  it('subscribes the alarm email to the topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalIdOf(stack, stack.monitoring.topic) },
    });
  });
});

describe('invalid context', () => {
  const settingsOf = (context: Record<string, string>) =>
    settingsFromContext(new App({ context }).node);

  it.each([
    ['stage', 'Prod_1'],
    ['removalPolicy', 'snapshot'],
    ['alarmEmail', 'ops'],
    ['corsOrigins', 'app.example.com'],
    ['logLevel', 'VERBOSE'],
    ['cloudWatchLogRetentionDays', '45'],
    ['openSearchInstanceType', 'm7g.large'],
    ['openSearchInstanceCount', '0'],
    ['openSearchVolumeGiB', '5'],
    ['metricMagneticWrites', 'yes'],
    ['throttleRateLimit', 'fast'],
    ['ingestStream', 'telemetry'],
    ['ingestStreamShards', '0'],
    ['logGroupServices', '["checkout"]'],
  ])('rejects %s=%s naming the key', (key, value) => {
    expect(() => settingsOf({ [key]: value })).toThrow(ContextError);
    expect(() => settingsOf({ [key]: value })).toThrow(
      new RegExp(`invalid context value\\(s\\): ${key}(\\[\\d+\\])?: `),
    );
  });

  it('rejects a Timestream database without a table', () => {
    expect(() => settingsOf({ timestreamDatabase: 'metrics' })).toThrow(
      'set both or neither',
    );
  });

  it.each([5, 7])('rejects %i OpenSearch nodes', (count) => {
    expect(() => zoneAwarenessOf(count)).toThrow(
      `invalid openSearchInstanceCount ${count}`,
    );
  });

  it.each([
    [1, { enabled: false }],
    [3, { enabled: true, availabilityZoneCount: 3 }],
    [4, { enabled: true, availabilityZoneCount: 2 }],
  ])('spreads %i nodes as %j', (count, expected) => {
    expect(zoneAwarenessOf(count)).toEqual(expected);
  });

  it('reads ingestStream=none as no stream', () => {
    expect(settingsOf({ ingestStream: 'none' }).ingestStream).toEqual({
      kind: 'none',
    });
  });

  it('reads defaults when no context is set', () => {
    const settings = settingsOf({});

    expect(settings.stage).toBeUndefined();
    expect(settings.corsOrigins).toBeUndefined();
    expect(settings.metricStore?.existing).toBeUndefined();
    expect(settings.ingestStream).toEqual({ kind: 'create', shards: 1 });
  });
});

describe('stack without an ingest stream', () => {
  const bare = synthesize({ ingestStream: 'none' });

  it('creates no stream, mapping or stream function', () => {
    bare.template.resourceCountIs('AWS::Kinesis::Stream', 0);
    bare.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(bare.stack.streamIngest.handler).toBeUndefined();
    expect(bare.stack.streamIngest.failedBatches).toBeUndefined();
  });

  it('keeps the dead-letter queue for Firehose', () => {
    bare.template.resourceCountIs('AWS::SQS::Queue', 1);
  });
});
