import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { StoreName } from '#shared/store/open.js';
import { LOG_INDEX_PREFIX, type LogDomain } from './log-domain.js';
import type { MetricTable } from './metric-table.js';
import { acknowledgeWildcardResource } from './nag.js';

/** The resources behind the five stores, and the metric table's settings. */
export interface StoreResources {
  tracesTable: TableV2;
  configTable: TableV2;
  metricTable: MetricTable;
  metricMemoryRetentionHours: number;
  metricMagneticWrites: boolean;
  traceRetentionDays: number;
  logDomain: LogDomain;
}

type Environment = Record<string, string>;

/**
 * Timestream actions of the metric store: writes, queries (SELECT and
 * DESCRIBE) on its one table.
 */
export const TIMESTREAM_TABLE_ACTIONS = [
  'timestream:WriteRecords',
  'timestream:Select',
  'timestream:DescribeTable',
];

function connectMetrics(fn: LambdaFunction, r: StoreResources): Environment {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: TIMESTREAM_TABLE_ACTIONS,
      resources: [r.metricTable.tableArn],
    }),
  );
  // The SDK finds the cell endpoint of each call with DescribeEndpoints,
  // an action that IAM only grants on every resource.
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['timestream:DescribeEndpoints'],
      resources: ['*'],
    }),
  );
  return {
    OBSERVATORY_TIMESTREAM_DATABASE: r.metricTable.databaseName,
    OBSERVATORY_TIMESTREAM_TABLE: r.metricTable.tableName,
    OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES: String(r.metricMagneticWrites),
    OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS: String(
      r.metricMemoryRetentionHours,
    ),
  };
}

function connectLogs(fn: LambdaFunction, r: StoreResources): Environment {
  r.logDomain.grantAccess(fn);
  return {
    OBSERVATORY_OPENSEARCH_ENDPOINT: r.logDomain.endpointUrl,
    OBSERVATORY_OPENSEARCH_SERVICE: 'es',
    OBSERVATORY_LOG_INDEX_PREFIX: LOG_INDEX_PREFIX,
  };
}

/** Traces and topology share the traces table. */
function connectTraces(fn: LambdaFunction, r: StoreResources): Environment {
  r.tracesTable.grantReadWriteData(fn);
  acknowledgeWildcardResource(
    fn,
    `${r.tracesTable.tableArn}/index/*`,
    'Queries on the trace list, span statistics and topology indexes ' +
      'need every index of the traces table, and only of that table',
  );
  return {
    OBSERVATORY_TRACES_TABLE: r.tracesTable.tableName,
    OBSERVATORY_TRACE_RETENTION_DAYS: String(r.traceRetentionDays),
  };
}

function connectConfig(fn: LambdaFunction, r: StoreResources): Environment {
  r.configTable.grantReadWriteData(fn);
  return { OBSERVATORY_CONFIG_TABLE: r.configTable.tableName };
}

const CONNECTORS: Record<
  StoreName,
  (fn: LambdaFunction, r: StoreResources) => Environment
> = {
  metrics: connectMetrics,
  logs: connectLogs,
  traces: connectTraces,
  topology: connectTraces,
  config: connectConfig,
};

/**
 * Gives `fn` the settings and permissions of exactly the stores it uses:
 * STORAGE=aws plus each store's variables from shared/config.ts, and
 * access to that store's table or domain and no other.
 */
export function connectStores(
  fn: LambdaFunction,
  stores: readonly StoreName[],
  resources: StoreResources,
): void {
  const environment: Environment = { STORAGE: 'aws' };
  const connected = new Set<(typeof CONNECTORS)[StoreName]>();
  for (const store of stores) {
    const connect = CONNECTORS[store];
    if (connected.has(connect)) continue;
    connected.add(connect);
    Object.assign(environment, connect(fn, resources));
  }
  for (const [name, value] of Object.entries(environment)) {
    fn.addEnvironment(name, value);
  }
}
