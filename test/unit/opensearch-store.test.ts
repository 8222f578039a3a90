import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '#shared/errors.js';
import {
  LOG_MAPPINGS,
  logIndexTemplate,
} from '#shared/store/aws/opensearch/template.js';
import { logRecord, T0_MS } from '#test/contract/log-store.contract.js';
import { createIndex } from '#test/fakes/opensearch/mapping.js';
import {
  type StoreOnFake,
  startStoreOnFake,
} from '#test/fakes/opensearch/store.js';

const TRACE = '7ca373f7c7e0f17df9965485593768ce';
const DAY_MS = 86_400_000;

let harness: StoreOnFake | undefined;

async function open() {
  harness = await startStoreOnFake();
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function searches(harness: StoreOnFake) {
  return harness.fake.requests.filter((request) =>
    request.path.endsWith('/_search'),
  );
}

describe('OpenSearch trace logs', () => {
  it('reads past the result window in pages, oldest first', async () => {
    const opened = await open();
    // Two records per millisecond, so pages also split equal times.
    const records = Array.from({ length: 2_300 }, (_, index) =>
      logRecord({
        at: Math.floor(index / 2),
        trace_id: TRACE,
        message: `${index}`,
      }),
    );
    await opened.store.write(records);

    const logs = await opened.store.getTraceLogs(TRACE, 2_300);

    const sizes = searches(opened).map(
      (request) => JSON.parse(request.body).size,
    );
    const expected = [...records].sort(
      (a, b) =>
        Number(a.time_unix_nano - b.time_unix_nano) ||
        (a.log_id < b.log_id ? -1 : 1),
    );
    expect(sizes).toEqual([1_000, 1_000, 300]);
    expect(logs.map((log) => log.log_id)).toEqual(
      expected.map((record) => record.log_id),
    );
  });

  it('stops at the limit inside a page', async () => {
    const opened = await open();
    await opened.store.write(
      [1, 2, 3, 4].map((at) => logRecord({ at, trace_id: TRACE })),
    );

    const logs = await opened.store.getTraceLogs(TRACE, 3);

    expect(logs).toHaveLength(3);
    expect(searches(opened)).toHaveLength(1);
  });
});

describe('OpenSearch search indices', () => {
  it('reads only the days of the range and skips missing ones', async () => {
    const opened = await open();
    await opened.store.write([
      logRecord({ at: 0, message: 'first day' }),
      logRecord({ at: 2 * DAY_MS, message: 'third day' }),
      logRecord({ at: 3 * DAY_MS, message: 'after the range' }),
    ]);

    const page = await opened.store.search({
      start_ms: T0_MS,
      end_ms: T0_MS + 2 * DAY_MS,
      limit: 10,
    });

    expect(page.items.map((item) => item.message)).toEqual([
      'third day',
      'first day',
    ]);
    expect(searches(opened).map((request) => request.path)).toEqual([
      '/observatory-logs-2026.01.15,observatory-logs-2026.01.16,' +
        'observatory-logs-2026.01.17/_search',
    ]);
  });

  it('returns nothing before any index exists', async () => {
    const opened = await open();

    const page = await opened.store.search({
      start_ms: T0_MS,
      end_ms: T0_MS + 1,
      limit: 10,
    });
    const counts = await opened.store.levelCounts({
      start_ms: T0_MS,
      end_ms: T0_MS + 1,
      interval_ms: 60_000,
    });

    expect(page).toEqual({ items: [] });
    expect(counts).toEqual([]);
    expect(await opened.store.getTraceLogs(TRACE, 10)).toEqual([]);
  });
});

describe('OpenSearch search failures', () => {
  it('raises StoreError with the cause the shard reported', async () => {
    const opened = await open();
    const name = 'observatory-logs-2026.01.15';
    const mappings = {
      ...LOG_MAPPINGS,
      properties: { ...LOG_MAPPINGS.properties, log_id: { type: 'text' } },
    };
    const { settings } = logIndexTemplate('observatory-logs').template;
    opened.fake.state.indices.set(
      name,
      createIndex(name, { settings, mappings }),
    );

    const search = opened.store.search({
      start_ms: T0_MS,
      end_ms: T0_MS + 1,
      limit: 10,
    });

    await expect(search).rejects.toThrow(StoreError);
    await expect(search).rejects.toThrow(
      /log search failed with HTTP 400: search_phase_execution_exception: all shards failed \(illegal_argument_exception: Text fields are not optimised/,
    );
  });
});
