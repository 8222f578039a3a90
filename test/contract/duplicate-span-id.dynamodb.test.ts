import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServer } from '#infra/local/server.js';
import { keyRecord } from '#shared/auth/bootstrap.js';
import { API_KEY_KIND, KEY_SCOPES } from '#shared/auth/keys.js';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { createDynamoDbConfigStore } from '#shared/store/aws/dynamodb/config-store.js';
import { createDynamoDbTopologyStore } from '#shared/store/aws/dynamodb/topology-store.js';
import { createDynamoDbTraceStore } from '#shared/store/aws/dynamodb/trace-store.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';
import {
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#test/support/dynalite.js';
import {
  getJson,
  postJson,
  TEST_API_KEY,
  TEST_CONFIG,
} from '#test/support/server.js';

/** The server's clock; T0 lies ten minutes before it. */
const NOW_MS = Date.parse('2026-11-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const TRACE_ID = '5b8efff798038103d269b633813fc60c';

/** Two different spans with one id, and a child of that id. */
const request = {
  spans: [
    {
      trace_id: TRACE_ID,
      span_id: 'eee19b7ec3c1b174',
      service: 'svc-a',
      name: 'first',
      start_time: T0_MS,
      end_time: T0_MS + 40,
    },
    {
      trace_id: TRACE_ID,
      span_id: 'EEE19B7EC3C1B174',
      service: 'svc-a',
      name: 'second',
      start_time: T0_MS + 5,
      end_time: T0_MS + 45,
    },
    {
      trace_id: TRACE_ID,
      span_id: 'eee19b7ec3c1b175',
      parent_span_id: 'eee19b7ec3c1b174',
      service: 'svc-b',
      name: 'child',
      start_time: T0_MS + 10,
      end_time: T0_MS + 20,
    },
  ],
};

describe('duplicate span id on DynamoDB', () => {
  let dynamo: LocalDynamoDb;
  let stores: Stores;
  let url: string;
  let closeServer: () => Promise<void>;

  beforeEach(async () => {
    dynamo = await startLocalDynamoDb();
    const embedded = await openDuckDbStores(':memory:');
    stores = {
      ...embedded,
      traces: createDynamoDbTraceStore(dynamo.aws),
      config: createDynamoDbConfigStore(dynamo.aws),
      topology: createDynamoDbTopologyStore(dynamo.aws),
    };
    const logger = createLogger('observatory-test');
    logger.setLogLevel('SILENT');
    const deps: Deps = {
      config: { ...TEST_CONFIG, storage: 'aws' },
      stores,
      clock: fixedClock(NOW_MS),
      logger,
    };
    const record = keyRecord(TEST_API_KEY, 'test', [...KEY_SCOPES], 0);
    await stores.config.put(API_KEY_KIND, record.id, record);
    const server = await startLocalServer({ deps, port: 0, keyCacheTtlMs: 0 });
    url = server.url;
    closeServer = server.close;
  });
  afterEach(async () => {
    await closeServer();
    await stores.close();
    await dynamo.close();
  });

  const ingest = () =>
    postJson(`${url}/api/observatory/traces/spans/ingest`, request);
  const getTrace = () => getJson(`${url}/api/observatory/traces/${TRACE_ID}`);
  const list = () => getJson(`${url}/api/observatory/traces/service/svc-a`);
  const statistics = () =>
    getJson(`${url}/api/observatory/traces/service/svc-a/statistics`);

  it('keeps the first span and rejects the second', async () => {
    const sent = await ingest();
    const { status, body } = await getTrace();

    expect(sent.status).toBe(200);
    expect(sent.body.accepted).toBe(2);
    expect(sent.body.rejected).toEqual([
      { index: 1, reason: expect.stringContaining('eee19b7ec3c1b174') },
    ]);
    expect(status).toBe(200);
    expect(body.span_count).toBe(2);
    expect(body.spans[0].name).toBe('first');
    expect(body.spans[0].children[0].name).toBe('child');
  });

  it('changes nothing when the request is sent again', async () => {
    const first = await ingest();
    const before = await getTrace();
    const listed = await list();

    const second = await ingest();
    const after = await getTrace();
    const relisted = await list();

    expect(second.body).toEqual(first.body);
    expect(after.body).toEqual(before.body);
    expect(relisted.body).toEqual(listed.body);
    expect(relisted.body.traces).toHaveLength(1);
    expect(relisted.body.traces[0].span_count).toBe(2);
  });

  it('counts the span once in statistics', async () => {
    await ingest();
    await ingest();

    const { status, body } = await statistics();

    expect(status).toBe(200);
    expect(body.total.request_count).toBe(1);
    expect(
      body.operations.map((o: { operation: string }) => o.operation),
    ).toEqual(['first']);
  });
});
