import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import type { Span } from '#shared/model/span.js';
import { createDocumentClient } from '#shared/store/aws/dynamodb/client.js';
import { DynamoDbTopologyStore } from '#shared/store/aws/dynamodb/topology-store.js';
import { DynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { ingestSpans } from '#shared/traces/ingest.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import { TEST_CONFIG } from '#test/support/server.js';
import { MS, makeSpan } from '#test/support/spans.js';

const NOW_MS = Date.parse('2026-11-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const T0 = BigInt(T0_MS) * MS;

/** Builds a parent in svc-a and its child in svc-b, in trace `n`. */
function callPair(n: number): Span[] {
  const traceId = n.toString(16).padStart(32, '0');
  const parent = makeSpan({
    trace_id: traceId,
    span_id: 'a'.repeat(15) + n.toString(16),
    service: 'svc-a',
    start_time_unix_nano: T0,
    end_time_unix_nano: T0 + 30n * MS,
  });
  const child = makeSpan({
    trace_id: traceId,
    span_id: 'b'.repeat(15) + n.toString(16),
    parent_span_id: parent.span_id,
    service: 'svc-b',
    start_time_unix_nano: T0 + 10n * MS,
    end_time_unix_nano: T0 + 20n * MS,
  });
  return [parent, child];
}

/** Records the name of every command the client sends. */
function recordCommands(client: DynamoDBDocumentClient): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      names.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  return names;
}

describe('span ingest calls on DynamoDB', () => {
  let dynamo: LocalDynamoDb;
  let client: DynamoDBDocumentClient;
  let deps: Deps;
  let commands: string[];

  beforeEach(async () => {
    dynamo = await startLocalDynamoDb();
    client = createDocumentClient(dynamo.aws);
    commands = recordCommands(client);
    const table = dynamo.aws.tracesTable as string;
    const logger = createLogger('observatory-test');
    logger.setLogLevel('SILENT');
    deps = {
      config: { ...TEST_CONFIG, storage: 'aws' },
      stores: {
        ...(await openDuckDbStores(':memory:')),
        traces: new DynamoDbTraceStore(client, table),
        topology: new DynamoDbTopologyStore(client, table),
      },
      clock: fixedClock(NOW_MS),
      logger,
    };
  });
  afterEach(async () => {
    await deps.stores.close();
    client.destroy();
    await dynamo.close();
  });

  const count = (name: string) => commands.filter((c) => c === name).length;
  const edges = () =>
    deps.stores.topology.edgeStats({
      start_ms: T0_MS - 60_000,
      end_ms: NOW_MS,
    });

  it('queries each trace once', async () => {
    const spans = [1, 2, 3].flatMap(callPair);

    const report = await ingestSpans(deps, spans);

    expect(report.rejected).toEqual([]);
    expect(count('QueryCommand')).toBe(3);
    expect((await edges())[0]?.call_count).toBe(3);
  });

  it('records the edge when the parent arrives later', async () => {
    const [parent, child] = callPair(1) as [Span, Span];
    await ingestSpans(deps, [child]);
    commands.length = 0;

    await ingestSpans(deps, [parent]);

    expect(count('QueryCommand')).toBe(1);
    const [edge] = await edges();
    expect(edge?.source).toBe('svc-a');
    expect(edge?.target).toBe('svc-b');
  });
});
