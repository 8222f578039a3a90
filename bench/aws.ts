import { systemClock } from '#shared/clock.js';
import { loadConfig } from '#shared/config.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import {
  LOGS_EXPORT,
  METRICS_EXPORT,
  type SignalExport,
  TRACE_EXPORT,
} from '#shared/otlp/export.js';
import { createDynamoDbTopologyStore } from '#shared/store/aws/dynamodb/topology-store.js';
import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import {
  createOpenSearchClient,
  transportOf,
} from '#shared/store/aws/opensearch/client.js';
import { createOpenSearchLogStore } from '#shared/store/aws/opensearch/log-store.js';
import { ensureIndexTemplate } from '#shared/store/aws/opensearch/template.js';
import { createTimestreamMetricStore } from '#shared/store/aws/timestream/metric-store.js';
import type { Stores } from '#shared/store/ports.js';
import { startFakeOpenSearch } from '#test/fakes/opensearch/server.js';
import { fakeAwsConfig } from '#test/fakes/timestream/config.js';
import { startTimestreamFake } from '#test/fakes/timestream/server.js';
import { startLocalDynamoDb } from '#test/support/dynalite.js';
import { type OperationCount, startCountingProxy } from './counting-proxy.js';
import type { BatchSpec, Signal } from './data/samples.js';
import { otlpBody } from './data/wire.js';

/** One AWS API operation's share of an ingest run. */
export interface AwsOperation {
  operation: string;
  calls: number;
  itemsPerCall: number;
  bytesPerCall: number;
  /** Calls per million ingested items, extrapolated linearly. */
  callsPerMillionItems: number;
}

/** The AWS calls that ingesting one signal made. */
export interface AwsResult {
  signal: Signal;
  store: string;
  /** Spread of the items over series, where it changes the calls. */
  layout: string;
  /** Items ingested in the measured run. */
  items: number;
  seconds: number;
  operations: AwsOperation[];
  /** All calls per million items, extrapolated from the measured run. */
  requestsPerMillionItems: number;
}

export interface AwsSettings {
  /** Items per ingest call, as one request of the API would carry. */
  batchSize: number;
  /** Items per signal in the measured run. */
  items: number;
}

/** Dummy credentials and region for SDK clients aimed at local fakes. */
function useLocalAwsEnvironment(): void {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

function depsWith(stores: Partial<Stores>): Deps {
  const logger = createLogger('observatory-bench-aws');
  logger.setLogLevel('SILENT');
  const all = { close: async () => undefined, ...stores } as Stores;
  return { config: loadConfig({}), stores: all, clock: systemClock, logger };
}

/** Ingests `settings.items` new items in batches through `spec.ingest`. */
async function ingestAll(
  signal: Signal,
  spec: SignalExport<unknown>,
  deps: Deps,
  settings: AwsSettings,
  metricLayout?: BatchSpec['metricLayout'],
): Promise<{ items: number; seconds: number }> {
  const baseMs = Date.now() - 2 * 3_600_000;
  const started = performance.now();
  let items = 0;
  for (let batch = 0; items < settings.items; batch++) {
    const size = settings.batchSize;
    const body = otlpBody(signal, { batch, size, baseMs, metricLayout });
    const mapped = spec.map(body, deps).items;
    const report = await spec.ingest(deps, mapped);
    if (report.rejected.length > 0) {
      throw new Error(
        `${signal} ingest rejected ${report.rejected.length} items: ` +
          report.rejected[0]?.reason,
      );
    }
    items += mapped.length;
  }
  return { items, seconds: (performance.now() - started) / 1_000 };
}

function operationsOf(
  counts: Map<string, OperationCount>,
  items: number,
): AwsOperation[] {
  return [...counts].map(([operation, count]) => ({
    operation,
    calls: count.calls,
    itemsPerCall: count.items / count.calls,
    bytesPerCall: count.bytes / count.calls,
    callsPerMillionItems: (count.calls / items) * 1e6,
  }));
}

function resultOf(
  signal: Signal,
  store: string,
  layout: string,
  run: { items: number; seconds: number },
  counts: Map<string, OperationCount>,
): AwsResult {
  const operations = operationsOf(counts, run.items);
  const calls = operations.reduce((sum, op) => sum + op.calls, 0);
  return {
    signal,
    store,
    layout,
    ...run,
    operations,
    requestsPerMillionItems: (calls / run.items) * 1e6,
  };
}

function tally(
  counts: Map<string, OperationCount>,
  operation: string,
  bytes: number,
  items: number,
): void {
  const count = counts.get(operation) ?? { calls: 0, bytes: 0, items: 0 };
  count.calls += 1;
  count.bytes += bytes;
  count.items += items;
  counts.set(operation, count);
}

const METRIC_LAYOUTS = {
  mixed: '10 services x 10 metrics x 10 hosts per batch',
  'one-metric': '1 metric x 1,000 hosts per batch',
} as const;

async function benchTimestream(
  settings: AwsSettings,
  layout: keyof typeof METRIC_LAYOUTS,
): Promise<AwsResult> {
  const fake = await startTimestreamFake({
    tables: [['observatory', 'metrics']],
  });
  try {
    const metrics = createTimestreamMetricStore(fakeAwsConfig(fake.endpoint));
    const deps = depsWith({ metrics });
    const run = await ingestAll(
      'metrics',
      METRICS_EXPORT,
      deps,
      settings,
      layout,
    );
    const counts = new Map<string, OperationCount>();
    for (const request of fake.requests) {
      const records = request.body.Records?.length ?? 1;
      const bytes = JSON.stringify(request.body).length;
      tally(counts, request.operation, bytes, records);
    }
    const store = 'Timestream (fake)';
    return resultOf('metrics', store, METRIC_LAYOUTS[layout], run, counts);
  } finally {
    await fake.close();
  }
}

/** Names an OpenSearch call by its API, without the index name. */
function openSearchOperation(method: string, path: string): string {
  const api = path.split('/').find((part) => part.startsWith('_'));
  return `${method} ${api ?? path}`;
}

async function benchOpenSearch(settings: AwsSettings): Promise<AwsResult> {
  const fake = await startFakeOpenSearch();
  const { aws } = loadConfig({
    STORAGE: 'aws',
    AWS_REGION: 'us-east-1',
    OBSERVATORY_OPENSEARCH_ENDPOINT: fake.url,
  });
  const client = createOpenSearchClient({
    endpoint: fake.url,
    region: 'us-east-1',
    service: 'es',
  });
  try {
    await ensureIndexTemplate(transportOf(client), aws.logIndexPrefix);
    const setupCalls = fake.requests.length;
    const logs = createOpenSearchLogStore(aws);
    const run = await ingestAll(
      'logs',
      LOGS_EXPORT,
      depsWith({ logs }),
      settings,
    );
    const counts = new Map<string, OperationCount>();
    for (const request of fake.requests.slice(setupCalls)) {
      const lines = request.body.split('\n').filter((line) => line !== '');
      const operation = openSearchOperation(request.method, request.path);
      const items = operation.endsWith('_bulk') ? lines.length / 2 : 1;
      tally(counts, operation, Buffer.byteLength(request.body), items);
    }
    return resultOf('logs', 'OpenSearch (fake)', '', run, counts);
  } finally {
    await client.close();
    await fake.close();
  }
}

async function benchDynamoDb(settings: AwsSettings): Promise<AwsResult> {
  const dynamo = await startLocalDynamoDb();
  const proxy = await startCountingProxy(dynamo.endpoint);
  try {
    const aws = {
      ...dynamo.aws,
      endpoints: { ...dynamo.aws.endpoints, dynamodb: proxy.endpoint },
    };
    const traces = createDynamoDbTraceStore(aws);
    const topology = createDynamoDbTopologyStore(aws);
    const run = await ingestAll(
      'traces',
      TRACE_EXPORT,
      depsWith({ traces, topology }),
      settings,
    );
    const layout = '5-span traces over 3 services';
    return resultOf('traces', 'DynamoDB (dynalite)', layout, run, proxy.counts);
  } finally {
    await proxy.close();
    await dynamo.close();
  }
}

/**
 * Ingests each signal through its AWS adapter against a local fake or
 * emulator and counts the calls each API operation took.
 */
export async function benchAws(
  signals: readonly Signal[],
  settings: AwsSettings,
  progress: (line: string) => void,
): Promise<AwsResult[]> {
  useLocalAwsEnvironment();
  const runs: Record<Signal, (() => Promise<AwsResult>)[]> = {
    metrics: [
      () => benchTimestream(settings, 'mixed'),
      () => benchTimestream(settings, 'one-metric'),
    ],
    logs: [() => benchOpenSearch(settings)],
    traces: [() => benchDynamoDb(settings)],
  };
  const results: AwsResult[] = [];
  for (const signal of signals) {
    for (const run of runs[signal]) {
      const result = await run();
      results.push(result);
      progress(
        `aws ${result.store} ${result.layout}: ` +
          `${Math.round(result.requestsPerMillionItems)} requests per million items`,
      );
    }
  }
  return results;
}
