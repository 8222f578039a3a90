import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '#shared/config.js';
import { createDynamoDbTopologyStore } from '#shared/store/aws/dynamodb/topology-store.js';
import type { TopologyStore } from '#shared/store/ports.js';
import type { EdgeObservation } from '#shared/topology/model.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import { MS } from '#test/support/spans.js';

const T0_MS = Date.UTC(2026, 4, 28, 20, 30);
const HOUR_MS = 3_600_000;
const TRACE = '7ca373f7c7e0f17df9965485593768ce';

/** Call `n` from svc-a to svc-b at T0 + atMs. */
function call(n: number, atMs: number): EdgeObservation {
  return {
    trace_id: TRACE,
    child_span_id: n.toString(16).padStart(16, '0'),
    source: 'svc-a',
    target: 'svc-b',
    time_unix_nano: BigInt(T0_MS + atMs) * MS,
    duration_nano: BigInt(n) * MS,
    failed: false,
  };
}

describe('DynamoDB topology store items', () => {
  let dynamo: LocalDynamoDb;
  let store: TopologyStore;

  beforeEach(async () => {
    dynamo = await startLocalDynamoDb();
    store = createDynamoDbTopologyStore(dynamo.aws, { retentionDays: 3 });
  });
  afterEach(() => dynamo.close());

  it('fails at creation without a table name', () => {
    const create = () =>
      createDynamoDbTopologyStore({ ...dynamo.aws, tracesTable: undefined });

    expect(create).toThrow(ConfigError);
    expect(create).toThrow('OBSERVATORY_TRACES_TABLE');
  });

  it('aggregates calls across hours', async () => {
    await store.recordEdges([call(1, -HOUR_MS), call(2, 0), call(3, HOUR_MS)]);

    const [edge] = await store.edgeStats({
      start_ms: T0_MS - HOUR_MS,
      end_ms: T0_MS + HOUR_MS + 1,
    });

    expect(edge?.call_count).toBe(3);
    expect(edge?.p95_duration_nano).toBeCloseTo(2.9 * 1e6, 0);
  });

  it('gives an edge an expiry after its time', async () => {
    await store.recordEdges([call(1, 0)]);
    const raw = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: dynamo.endpoint,
    });

    const output = await raw.send(
      new GetItemCommand({
        TableName: dynamo.aws.tracesTable,
        Key: {
          pk: { S: `TRACE#${TRACE}` },
          sk: { S: `EDGE#${call(1, 0).child_span_id}` },
        },
      }),
    );
    raw.destroy();

    expect(output.Item?.expires_at).toEqual({
      N: String(T0_MS / 1000 + 3 * 86_400),
    });
  });

  it('records more than one write batch of edges', async () => {
    const calls = Array.from({ length: 60 }, (_, i) => call(i + 1, i));

    const written = await store.recordEdges(calls);

    const [edge] = await store.edgeStats({
      start_ms: T0_MS,
      end_ms: T0_MS + HOUR_MS,
    });
    expect(written).toBe(60);
    expect(edge?.call_count).toBe(60);
  });

  it('skips a service name too long for a key', async () => {
    const seen = { first_seen_ms: T0_MS, last_seen_ms: T0_MS };

    await store.recordServices([
      { service: 's'.repeat(1001), ...seen },
      { service: 'svc-a', ...seen },
    ]);

    expect(await store.getService('s'.repeat(1001))).toBeUndefined();
    expect(await store.getService('svc-a')).toEqual({
      service: 'svc-a',
      ...seen,
    });
  });

  it('lists services past one page', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `svc-${i + 10}`);
    await store.recordServices(
      names.map((service) => ({
        service,
        first_seen_ms: T0_MS,
        last_seen_ms: T0_MS,
      })),
    );

    const listed = await store.listServices({ limit: 25 });
    const rest = await store.listServices({ after: 'svc-34', limit: 25 });

    expect(listed.map((s) => s.service)).toEqual(names.slice(0, 25));
    expect(rest.map((s) => s.service)).toEqual(names.slice(25));
  });
});
