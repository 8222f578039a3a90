import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '#shared/errors.js';
import {
  type BulkEntry,
  chunkEntries,
  DEFAULT_BULK_OPTIONS,
  MAX_BULK_BYTES,
  writeBulk,
} from '#shared/store/aws/opensearch/bulk.js';
import type { OpenSearchTransport } from '#shared/store/aws/opensearch/client.js';
import {
  LOG_MAPPINGS,
  logIndexTemplate,
} from '#shared/store/aws/opensearch/template.js';
import { logRecord, T0_MS } from '#test/contract/log-store.contract.js';
import { createIndex } from '#test/fakes/opensearch/mapping.js';
import {
  bulkIds,
  bulkRequests,
  type StoreOnFake,
  startStoreOnFake,
} from '#test/fakes/opensearch/store.js';

const DAY_MS = 86_400_000;
const NEXT_DAY_INDEX = 'observatory-logs-2026.01.16';

let harness: StoreOnFake | undefined;

async function open(options: Parameters<typeof startStoreOnFake>[0] = {}) {
  harness = await startStoreOnFake(options);
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function entry(index: number, bytes: number): BulkEntry {
  return { index, ndjson: 'x'.repeat(bytes), bytes };
}

describe('bulk chunking', () => {
  it('fills a chunk up to the byte limit exactly', () => {
    const entries = [entry(0, 400), entry(1, 600), entry(2, 1)];

    const chunks = chunkEntries(entries, 1000);

    expect(chunks.map((chunk) => chunk.map((e) => e.index))).toEqual([
      [0, 1],
      [2],
    ]);
  });

  it('keeps every body under 10 MiB', async () => {
    const { fake, store } = await open();
    // 28 records of 400 KiB make about 11 MiB of documents.
    const records = Array.from({ length: 28 }, (_, index) =>
      logRecord({ at: index, message: `${index} ${'x'.repeat(400 * 1024)}` }),
    );

    const result = await store.write(records);

    const requests = bulkRequests(fake);
    const sizes = requests.map((request) => Buffer.byteLength(request.body));
    expect(result).toEqual({ written: 28, duplicates: 0, rejected: [] });
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BULK_BYTES);
    expect(requests.flatMap(bulkIds)).toEqual(records.map((r) => r.log_id));
  });

  it('rejects a record above the body limit without sending it', async () => {
    const { fake, store } = await open({ bulk: { maxBodyBytes: 4096 } });
    const small = logRecord({ at: 1 });
    const large = logRecord({ at: 2, message: 'y'.repeat(8192) });

    const result = await store.write([small, large]);

    expect(result.written).toBe(1);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(1);
    expect(result.rejected[0]?.reason).toMatch(/above the limit of 4096/);
    expect(bulkRequests(fake).flatMap(bulkIds)).toEqual([small.log_id]);
  });

  it('splits a run the cluster answers with 413', async () => {
    const { fake, store } = await open({ fake: { maxBodyBytes: 5000 } });
    const records = Array.from({ length: 8 }, (_, index) =>
      logRecord({ at: index, message: `${index} ${'z'.repeat(1000)}` }),
    );
    const oversized = logRecord({ at: 9, message: 'w'.repeat(6000) });

    const result = await store.write([...records, oversized]);

    const accepted = bulkRequests(fake).filter(
      (request) => Buffer.byteLength(request.body) <= 5000,
    );
    expect(result.written).toBe(8);
    expect(result.rejected.map((item) => item.index)).toEqual([8]);
    expect(result.rejected[0]?.reason).toMatch(/HTTP 413/);
    expect(accepted.flatMap(bulkIds).sort()).toEqual(
      records.map((record) => record.log_id).sort(),
    );
  });
});

describe('bulk item errors', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'strict mapping',
      { dynamic: 'strict', properties: {} },
      /HTTP 400, strict_dynamic_mapping_exception: mapping set to strict/,
    ],
    [
      'wrong field type',
      {
        ...LOG_MAPPINGS,
        properties: {
          ...LOG_MAPPINGS.properties,
          attributes: { type: 'keyword' },
        },
      },
      /HTTP 400, mapper_parsing_exception: failed to parse field \[attributes\]/,
    ],
  ])('reports each failed item by index on %s', async (_, mappings, reason) => {
    const { fake, store } = await open();
    fake.state.indices.set(
      NEXT_DAY_INDEX,
      createIndex(NEXT_DAY_INDEX, {
        settings: logIndexTemplate('observatory-logs').template.settings,
        mappings,
      }),
    );
    const records = [
      logRecord({ at: 1, message: 'today' }),
      logRecord({
        at: DAY_MS,
        message: 'tomorrow',
        attributes: { a: { stringValue: 'b' } },
      }),
      logRecord({ at: 2, message: 'today again' }),
      logRecord({ at: DAY_MS + 1, message: 'tomorrow again' }),
    ];

    const result = await store.write(records);

    expect(result.written).toBe(2);
    expect(result.duplicates).toBe(0);
    expect(result.rejected.map((item) => item.index)).toEqual([1, 3]);
    for (const item of result.rejected) expect(item.reason).toMatch(reason);
  });

  it('counts a create conflict as a duplicate', async () => {
    const { store } = await open();
    const record = logRecord({ at: 1 });
    await store.write([record]);

    const result = await store.write([record, logRecord({ at: 2 })]);

    expect(result).toEqual({ written: 1, duplicates: 1, rejected: [] });
  });

  it('rejects an id above 512 bytes before sending', async () => {
    const { fake, store } = await open();
    const long = logRecord({ at: 1, log_id: 'e'.repeat(513) });
    const fine = logRecord({ at: 2, log_id: 'e'.repeat(512) });

    const result = await store.write([long, fine]);

    expect(result.written).toBe(1);
    expect(result.rejected).toEqual([
      {
        index: 0,
        reason:
          "log id of 513 bytes exceeds OpenSearch's limit of 512 bytes for " +
          'a document id; send a shorter id',
      },
    ]);
    expect(bulkRequests(fake).flatMap(bulkIds)).toEqual([fine.log_id]);
  });
});

describe('bulk 429 retries', () => {
  const batch = () => [1, 2, 3].map((at) => logRecord({ at }));

  it('retries a whole request answered 429 with growing delays', async () => {
    const { fake, store, sleeps } = await open({ bulk: { baseDelayMs: 100 } });
    fake.rejectBulkRequests(2);

    const result = await store.write(batch());

    expect(result).toEqual({ written: 3, duplicates: 0, rejected: [] });
    expect(bulkRequests(fake)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
  });

  it('sends again only the items answered 429', async () => {
    const { fake, store } = await open();
    const records = batch();
    fake.rejectBulkItems(1);

    const result = await store.write(records);

    const requests = bulkRequests(fake);
    expect(result).toEqual({ written: 3, duplicates: 0, rejected: [] });
    expect(requests.length).toBeGreaterThanOrEqual(2);
    const retried = requests[1];
    expect(retried && bulkIds(retried)).toEqual([records[0]?.log_id]);
  });

  it('rejects items still answered 429 after the last attempt', async () => {
    const { fake, store } = await open({ bulk: { maxAttempts: 3 } });
    fake.rejectBulkItems(1000);

    const result = await store.write(batch());

    expect(bulkRequests(fake)).toHaveLength(3);
    expect(result.written).toBe(0);
    expect(result.rejected.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(result.rejected[0]?.reason).toMatch(/HTTP 429 .* 3 times/);
  });

  it('rejects the run when every request is answered 429', async () => {
    const { fake, store } = await open({ bulk: { maxAttempts: 2 } });
    fake.rejectBulkRequests(1000);

    const result = await store.write(batch());

    expect(bulkRequests(fake)).toHaveLength(2);
    expect(result.rejected.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(result.rejected[0]?.reason).toMatch(/send it again later/);
  });
});

describe('bulk failures', () => {
  const entries = [entry(0, 10), entry(1, 10)];

  function answering(statusCode: number, body: unknown): OpenSearchTransport {
    return { send: async () => ({ statusCode, body }) };
  }

  it('raises StoreError naming the cause of a 500', async () => {
    const transport = answering(500, {
      error: { type: 'exception', reason: 'disk watermark exceeded' },
      status: 500,
    });

    const write = writeBulk(transport, entries, DEFAULT_BULK_OPTIONS);

    await expect(write).rejects.toThrow(StoreError);
    await expect(write).rejects.toThrow(
      /_bulk request failed with HTTP 500: exception: disk watermark exceeded/,
    );
  });

  it('raises StoreError when items do not match the operations', async () => {
    const transport = answering(200, { errors: false, items: [] });

    await expect(writeBulk(transport, entries)).rejects.toThrow(
      /returned 0 results for a _bulk request of 2 records/,
    );
  });
});

describe('bulk daily indices', () => {
  it('writes each record to the index of its UTC day', async () => {
    const { fake, store } = await open();
    const lastOfDay = logRecord({ at: 12 * 3_600_000 - 1 });
    const firstOfNext = logRecord({ at: 12 * 3_600_000 });

    await store.write([lastOfDay, firstOfNext]);

    const ids = (name: string) => [
      ...(fake.index(name)?.documents.keys() ?? []),
    ];
    expect(T0_MS).toBe(Date.UTC(2026, 0, 15, 12));
    expect(ids('observatory-logs-2026.01.15')).toEqual([lastOfDay.log_id]);
    expect(ids(NEXT_DAY_INDEX)).toEqual([firstOfNext.log_id]);
  });
});
