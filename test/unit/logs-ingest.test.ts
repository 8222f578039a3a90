import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { MAX_LOG_ATTRIBUTES } from '#shared/logs/caps.js';
import {
  ingestLogItems,
  ingestLogRecords,
  MAX_LOG_MESSAGE_BYTES,
} from '#shared/logs/ingest.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { MAX_ATTRIBUTE_VALUE_BYTES } from '#shared/traces/caps.js';
import { logRecord, T0_MS } from '#test/contract/log-store.contract.js';
import { TEST_CONFIG } from '#test/support/server.js';

const HOUR_MS = 3_600_000;

let deps: Deps;

beforeEach(async () => {
  const logger = createLogger('logs-ingest-test');
  logger.setLogLevel('SILENT');
  deps = {
    config: TEST_CONFIG,
    stores: await openDuckDbStores(':memory:'),
    clock: fixedClock(T0_MS),
    logger,
  };
});

afterEach(async () => {
  await deps.stores.close();
});

async function storedMessages(): Promise<string[]> {
  const page = await deps.stores.logs.search({
    start_ms: T0_MS - 30 * 24 * HOUR_MS,
    end_ms: T0_MS + HOUR_MS,
    limit: 100,
  });
  return page.items.map((item) => item.message).sort();
}

describe('ingestLogRecords', () => {
  it('rejects records outside the window by index', async () => {
    const records = [
      logRecord({ at: -8 * 24 * HOUR_MS, message: 'too old' }),
      logRecord({ at: -1, message: 'kept' }),
      logRecord({ at: 11 * 60_000, message: 'too far ahead' }),
      logRecord({ at: 9 * 60_000, message: 'slightly ahead' }),
    ];

    const report = await ingestLogRecords(deps, records);

    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.index)).toEqual([0, 2]);
    expect(report.rejected[0]?.reason).toMatch(/older than/);
    expect(report.rejected[1]?.reason).toMatch(/in the future/);
    expect(await storedMessages()).toEqual(['kept', 'slightly ahead']);
  });

  it('rejects a message above the size cap', async () => {
    const long = 'é'.repeat(MAX_LOG_MESSAGE_BYTES / 2 + 1);

    const report = await ingestLogRecords(deps, [logRecord({ message: long })]);

    expect(report.rejected[0]?.reason).toMatch(
      `message of ${MAX_LOG_MESSAGE_BYTES + 2} bytes exceeds`,
    );
  });

  it('counts a record stored before as accepted', async () => {
    const record = logRecord({ at: -1 });

    await ingestLogRecords(deps, [record]);
    const again = await ingestLogRecords(deps, [record, record]);

    expect(again).toEqual({ accepted: 2, rejected: [] });
    expect(await storedMessages()).toHaveLength(1);
  });
});

describe('ingestLogItems', () => {
  it('reports invalid items by their index in the request', async () => {
    const report = await ingestLogItems(deps, [
      { service: 'api', message: 'old', timestamp: T0_MS - 8 * 24 * HOUR_MS },
      { service: 'api', message: 'kept' },
      { service: 'api' },
      null,
      { service: 'api', message: 'ahead', timestamp: T0_MS + HOUR_MS },
    ]);

    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => r.index)).toEqual([0, 2, 3, 4]);
    expect(report.rejected[1]?.reason).toBe(
      'message: missing: send the log text as message',
    );
    expect(await storedMessages()).toEqual(['kept']);
  });
});

describe('attribute caps', () => {
  it('shortens long string values with a mark', async () => {
    const long = 'a'.repeat(MAX_ATTRIBUTE_VALUE_BYTES + 10);
    const record = logRecord({
      attributes: { query: { stringValue: long } },
      resource: { 'k8s.pod.name': { stringValue: long } },
    });

    await ingestLogRecords(deps, [record]);
    const [stored] = (
      await deps.stores.logs.search({
        start_ms: T0_MS - HOUR_MS,
        end_ms: T0_MS,
        limit: 1,
      })
    ).items;

    const value = stored?.attributes.query;
    expect(value).toHaveProperty('stringValue');
    expect((value as { stringValue: string }).stringValue).toMatch(/^a+…$/);
    expect(Buffer.byteLength(JSON.stringify(stored?.attributes))).toBeLessThan(
      MAX_ATTRIBUTE_VALUE_BYTES + 64,
    );
    expect(stored?.resource['k8s.pod.name']).toEqual(value);
  });

  it('rejects a record with too many attribute keys', async () => {
    const attributes = Object.fromEntries(
      Array.from({ length: MAX_LOG_ATTRIBUTES + 1 }, (_, index) => [
        `key.${index}`,
        { intValue: String(index) },
      ]),
    );

    const report = await ingestLogRecords(deps, [logRecord({ attributes })]);

    expect(report.accepted).toBe(0);
    expect(report.rejected[0]?.reason).toBe(
      `attributes has ${MAX_LOG_ATTRIBUTES + 1} keys; the limit is ` +
        `${MAX_LOG_ATTRIBUTES} per record`,
    );
  });
});
