import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config.js';
import type { Span } from '#shared/model/span.js';
import { MAX_ITEM_BYTES } from '#shared/store/aws/dynamodb/item-size.js';
import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { MAX_SUMMARY_OPERATIONS } from '#shared/store/aws/dynamodb/trace-summary.js';
import type { TraceListQuery, TraceStore } from '#shared/store/ports.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0_MS = Date.UTC(2026, 4, 28, 20, 30);
const T0 = BigInt(T0_MS) * MS;
const HOUR_MS = 3_600_000;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** Span `n` of TRACE starting `atMs` after T0. */
function span(n: number, atMs: number, extra: Partial<Span> = {}): Span {
  const start = T0 + BigInt(atMs) * MS;
  return makeSpan({
    trace_id: TRACE,
    span_id: spanId(n),
    start_time_unix_nano: start,
    end_time_unix_nano: start + 5n * MS,
    ...extra,
  });
}

describe('DynamoDB trace store items', () => {
  let dynamo: LocalDynamoDb;
  let raw: DynamoDBClient;
  let store: TraceStore;

  beforeEach(async () => {
    dynamo = await startLocalDynamoDb();
    raw = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
    });
    store = createDynamoDbTraceStore(dynamo.aws, { retentionDays: 7 });
  });
  afterEach(async () => {
    raw.destroy();
    await dynamo.close();
  });

  const getRaw = async (pk: string, sk: string) => {
    const output = await raw.send(
      new GetItemCommand({
        TableName: dynamo.aws.tracesTable,
        Key: { pk: { S: pk }, sk: { S: sk } },
      }),
    );
    return output.Item;
  };

  const list = (overrides: Partial<TraceListQuery> = {}) =>
    store.listTraces({
      service: 'svc-a',
      start_ms: T0_MS - 3 * HOUR_MS,
      end_ms: T0_MS + HOUR_MS,
      limit: 20,
      ...overrides,
    });

  it('fails at creation without a table name', () => {
    const create = () =>
      createDynamoDbTraceStore({ ...dynamo.aws, tracesTable: undefined });

    expect(create).toThrow(ConfigError);
    expect(create).toThrow('OBSERVATORY_TRACES_TABLE');
  });

  it('stores times as strings with an expiry', async () => {
    await store.write([span(1, 0)]);

    const item = await getRaw(`TRACE#${TRACE}`, `SPAN#${spanId(1)}`);

    expect(item?.start_ns).toEqual({ S: T0.toString() });
    expect(item?.expires_at).toEqual({
      N: String(Math.floor(T0_MS / 1000) + 7 * 86_400),
    });
  });

  it('rejects an oversized span and stores the rest', async () => {
    const big = span(2, 0, {
      attributes: { blob: { stringValue: 'x'.repeat(MAX_ITEM_BYTES) } },
    });

    const result = await store.write([span(1, 0), big]);

    expect(result.written).toBe(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(1);
    expect(result.rejected[0]?.reason).toMatch(/item limit/);
    expect(await store.getTrace(TRACE)).toHaveLength(1);
  });

  it('rejects a service name too long for a key', async () => {
    const result = await store.write([
      span(1, 0, { service: 's'.repeat(1001) }),
    ]);

    expect(result.written).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/shorter service.name/);
  });

  it('lists and pages across hours', async () => {
    const traces = [0, -1, -2].map((hours, i) =>
      makeSpan({
        trace_id: (i + 1).toString(16).padStart(32, '0'),
        start_time_unix_nano: T0 + BigInt(hours * HOUR_MS) * MS,
      }),
    );
    await store.write(traces);

    const first = await list({ limit: 1 });
    const second = await list({ limit: 1, cursor: first.next_cursor });
    const third = await list({ limit: 1, cursor: second.next_cursor });

    const ids = [first, second, third].map((page) => page.items[0]?.trace_id);
    expect(ids).toEqual(traces.map((s) => s.trace_id));
    expect(third.next_cursor).toBeUndefined();
  });

  it('updates the summary when a later batch adds spans', async () => {
    await store.write([
      span(2, 10, { parent_span_id: spanId(1), name: 'child' }),
    ]);
    await store.write([span(1, -HOUR_MS, { name: 'root' })]);

    const page = await list();

    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.root_name).toBe('root');
    expect(page.items[0]?.span_count).toBe(2);
    expect(page.items[0]?.start_time_unix_nano).toBe(T0 - BigInt(HOUR_MS) * MS);
  });

  it('keeps the fullest summary under concurrent writes', async () => {
    const batches = [1, 2, 3, 4].map((n) => [span(n, n)]);

    await Promise.all(batches.map((batch) => store.write(batch)));

    const [summary] = (await list()).items;
    expect(summary?.span_count).toBe(4);
  });

  it('rebuilds a lost summary when spans are sent again', async () => {
    await store.write([span(1, 0)]);
    await raw.send(
      new DeleteItemCommand({
        TableName: dynamo.aws.tracesTable,
        Key: {
          pk: { S: `TRACE#${TRACE}` },
          sk: { S: 'SUMMARY#svc-a#2026-05-28T20' },
        },
      }),
    );

    const result = await store.write([span(1, 0)]);

    expect(result.duplicates).toBe(1);
    expect((await list()).items).toHaveLength(1);
  });

  it('finds an operation past the listed names', async () => {
    const spans = Array.from({ length: MAX_SUMMARY_OPERATIONS + 1 }, (_, i) =>
      span(i + 1, i, { name: `op-${String(i).padStart(3, '0')}` }),
    );
    await store.write(spans);

    const page = await list({ operation: `op-${MAX_SUMMARY_OPERATIONS}` });

    expect(page.items.map((t) => t.trace_id)).toEqual([TRACE]);
  });

  it.each([
    ['lists it for a span inside the range', 10, [TRACE]],
    ['skips it with no span inside the range', -120_000, []],
  ])(
    'reads a trace spread past the range: %s',
    async (_label, atMs, expected) => {
      // The svc-b root puts the trace start inside the range.
      const root = span(1, 0, { service: 'svc-b' });
      const early = span(2, atMs, atMs < 0 ? { end_time_unix_nano: 1n } : {});
      const late = span(3, 2 * HOUR_MS);
      await store.write([root, early, late]);

      const page = await list({
        start_ms: T0_MS - 60_000,
        end_ms: T0_MS + HOUR_MS,
      });

      expect(page.items.map((t) => t.trace_id)).toEqual(expected);
    },
  );
});
