import { describe, expect, it } from 'vitest';
import { handler as firehose } from '#functions/firehose/handler.js';
import { handler as health } from '#functions/health/handler.js';
import { handler as keys } from '#functions/keys/handler.js';
import { handler as logs } from '#functions/logs/handler.js';
import { handler as metrics } from '#functions/metrics/handler.js';
import { handler as otlp } from '#functions/otlp/handler.js';
import { handler as services } from '#functions/services/handler.js';
import { handler as traces } from '#functions/traces/handler.js';
import {
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type FunctionName,
} from '#infra/stack/function-specs.js';
import { loadConfig } from '#shared/config.js';
import type { LambdaHttpHandler } from '#shared/deps.js';
import { openAwsStores } from '#shared/store/aws/stores.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const { stack, template } = synthesize();

type Grant =
  | 'traces table'
  | 'config table'
  | 'timestream'
  | 'opensearch'
  | 'dead letters';

/** What each function may reach, written out rather than derived. */
const EXPECTED_GRANTS: Record<FunctionName, Grant[]> = {
  health: [],
  authorizer: ['config table'],
  keys: ['config table'],
  metrics: ['timestream'],
  traces: ['traces table'],
  logs: ['opensearch'],
  services: ['traces table', 'config table'],
  firehose: ['traces table', 'timestream', 'opensearch', 'dead letters'],
  otlp: ['traces table', 'timestream', 'opensearch'],
};

/** Variables that each store adds, from shared/config.ts. */
const STORE_VARIABLES: Record<Grant, string[]> = {
  'traces table': [
    'OBSERVATORY_TRACES_TABLE',
    'OBSERVATORY_TRACE_RETENTION_DAYS',
  ],
  'config table': ['OBSERVATORY_CONFIG_TABLE'],
  timestream: [
    'OBSERVATORY_TIMESTREAM_DATABASE',
    'OBSERVATORY_TIMESTREAM_TABLE',
    'OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES',
    'OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS',
  ],
  opensearch: [
    'OBSERVATORY_OPENSEARCH_ENDPOINT',
    'OBSERVATORY_OPENSEARCH_SERVICE',
    'OBSERVATORY_LOG_INDEX_PREFIX',
  ],
  'dead letters': ['OBSERVATORY_STREAM_DLQ_URL'],
};

/** Variables beyond the stores' that a function needs. */
const OWN_VARIABLES: Partial<Record<FunctionName, string[]>> = {
  firehose: ['OBSERVATORY_FIREHOSE_ACCESS_KEY'],
};

const COMMON_VARIABLES = ['STORAGE', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];

function functionOf(name: FunctionName) {
  const fn = stack.functions.byName[name];
  const id = logicalIdOf(stack, fn);
  return {
    fn,
    properties:
      resourcesOf(template, 'AWS::Lambda::Function')[id]?.Properties ?? {},
  };
}

/** Collects the statements of the policies on a function's role. */
function statementsOf(name: FunctionName): Record<string, any>[] {
  const role = stack.functions.byName[name].role;
  const roleId = logicalIdOf(stack, role as never);
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function grantsOf(name: FunctionName): Grant[] {
  const tracesId = logicalIdOf(stack, stack.tables.tracesTable);
  const configId = logicalIdOf(stack, stack.tables.configTable);
  const grants = new Set<Grant>();
  for (const statement of statementsOf(name)) {
    const actions = [statement.Action].flat() as string[];
    const resources = JSON.stringify(statement.Resource);
    if (actions.some((a) => a.startsWith('dynamodb:'))) {
      if (resources.includes(tracesId)) grants.add('traces table');
      if (resources.includes(configId)) grants.add('config table');
    }
    if (actions.some((a) => a.startsWith('timestream:'))) {
      grants.add('timestream');
    }
    if (actions.some((a) => a.startsWith('es:'))) grants.add('opensearch');
    if (actions.includes('sqs:SendMessage')) grants.add('dead letters');
  }
  return [...grants].sort();
}

/** Replaces CloudFormation references with values of the right shape. */
function placeholderEnvironment(
  variables: Record<string, unknown>,
): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: 'eu-west-1' };
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') env[name] = value;
    else if (/_(ENDPOINT|URL)$/.test(name)) env[name] = 'https://aws.invalid';
    else env[name] = `placeholder-${name.toLowerCase()}`;
  }
  return env;
}

describe('Lambda functions', () => {
  it('creates one function per route domain plus the authorizer', () => {
    expect(Object.keys(stack.functions.byName).sort()).toEqual(
      [...FUNCTION_NAMES].sort(),
    );
  });

  it.each(FUNCTION_NAMES)('%s runs on nodejs26.x on arm64', (name) => {
    const { properties } = functionOf(name);

    expect(properties.Runtime).toBe('nodejs26.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.Handler).toBe('index.handler');
  });

  it.each(FUNCTION_NAMES)('%s has its memory, timeout and tracing', (name) => {
    const { properties } = functionOf(name);
    const spec = FUNCTION_SPECS[name];

    expect(properties.MemorySize).toBe(spec.memoryMiB);
    expect(properties.Timeout).toBe(spec.timeout.toSeconds());
    expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it.each(FUNCTION_NAMES)('%s logs to a group kept 30 days', (name) => {
    const { fn, properties } = functionOf(name);
    const groupId = logicalIdOf(stack, fn.logGroup as never);

    const group = resourcesOf(template, 'AWS::Logs::LogGroup')[groupId];

    expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: groupId } });
    expect(group?.Properties.RetentionInDays).toBe(30);
  });

  it('keeps every API function under 30 seconds', () => {
    for (const name of FUNCTION_NAMES) {
      expect(FUNCTION_SPECS[name].timeout.toSeconds()).toBeLessThan(30);
    }
  });
});

describe('least privilege', () => {
  it.each(FUNCTION_NAMES)('%s reaches only its own stores', (name) => {
    expect(grantsOf(name)).toEqual([...EXPECTED_GRANTS[name]].sort());
  });

  it('gives the metrics function no access to the traces table', () => {
    const tracesId = logicalIdOf(stack, stack.tables.tracesTable);
    const resources = JSON.stringify(
      statementsOf('metrics').map((s) => s.Resource),
    );

    expect(resources).not.toContain(tracesId);
  });

  it('gives the logs function no Timestream or DynamoDB action', () => {
    const actions = statementsOf('logs').flatMap((s) => [s.Action].flat());

    expect(actions.filter((a) => a.startsWith('timestream:'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('limits Timestream access to the metric table', () => {
    const statements = statementsOf('metrics').filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('timestream:')),
    );
    const tableId = logicalIdOf(stack, {
      node: { defaultChild: stack.metricTable.table },
    });

    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: [
          'timestream:WriteRecords',
          'timestream:Select',
          'timestream:DescribeTable',
        ],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'timestream:DescribeEndpoints',
        Resource: '*',
      }),
    );
    expect(statements).toHaveLength(2);
  });

  it('limits OpenSearch access to the log domain', () => {
    const domainId = logicalIdOf(stack, stack.logDomain.domain);
    const statement = statementsOf('logs').find((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('es:')),
    );

    expect(statement?.Action).toEqual([
      'es:ESHttpGet',
      'es:ESHttpPost',
      'es:ESHttpPut',
    ]);
    expect(statement?.Resource).toEqual([
      { 'Fn::GetAtt': [domainId, 'Arn'] },
      {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [domainId, 'Arn'] }, '/*']],
      },
    ]);
  });
});

describe('function environment', () => {
  it.each(FUNCTION_NAMES)('%s gets only its stores variables', (name) => {
    const variables = functionOf(name).properties.Environment.Variables;
    const expected = [
      ...COMMON_VARIABLES,
      ...EXPECTED_GRANTS[name].flatMap((grant) => STORE_VARIABLES[grant]),
      ...(OWN_VARIABLES[name] ?? []),
    ];

    expect(Object.keys(variables).sort()).toEqual(expected.sort());
    expect(variables.STORAGE).toBe('aws');
    expect(variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it.each(FUNCTION_NAMES)('%s environment opens its stores', async (name) => {
    const variables = functionOf(name).properties.Environment.Variables;
    const config = loadConfig(placeholderEnvironment(variables));

    const stores = await openAwsStores(config, FUNCTION_SPECS[name].stores);

    expect(config.storage).toBe('aws');
    for (const store of FUNCTION_SPECS[name].stores) {
      expect(stores[store]).toBeDefined();
    }
  });

  it('points the log store at the domain over HTTPS', () => {
    const domainId = logicalIdOf(stack, stack.logDomain.domain);
    const variables = functionOf('logs').properties.Environment.Variables;

    expect(variables.OBSERVATORY_OPENSEARCH_ENDPOINT).toEqual({
      'Fn::Join': [
        '',
        ['https://', { 'Fn::GetAtt': [domainId, 'DomainEndpoint'] }],
      ],
    });
    expect(variables.OBSERVATORY_OPENSEARCH_SERVICE).toBe('es');
  });
});

describe('handler store lists', () => {
  const handlers: Record<
    Exclude<FunctionName, 'authorizer'>,
    LambdaHttpHandler
  > = { health, keys, metrics, traces, logs, services, firehose, otlp };

  it.each(Object.entries(handlers))(
    '%s handler opens the stores the stack grants',
    (name, handler) => {
      expect([...handler.stores].sort()).toEqual(
        [...FUNCTION_SPECS[name as FunctionName].stores].sort(),
      );
    },
  );
});

describe('deploy order', () => {
  it.each(FUNCTION_NAMES)('creates %s after the log index setup', (name) => {
    const setupId = logicalIdOf(stack, stack.logIndexSetup.resource);
    const id = logicalIdOf(stack, stack.functions.byName[name]);

    expect(
      resourcesOf(template, 'AWS::Lambda::Function')[id]?.DependsOn,
    ).toContain(setupId);
  });
});
