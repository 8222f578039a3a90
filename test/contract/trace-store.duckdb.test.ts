import { describe, expect, it } from 'vitest';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';
import { MS, makeSpan } from '#test/support/spans.js';
import { traceStoreContract } from './trace-store.contract.js';

traceStoreContract('duckdb', async () => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbTraceStore(db);
  await store.init();
  return { store, close: () => db.close() };
});

describe('duckdb trace bounds', () => {
  const T0 = 1_780_000_000_000n * MS;
  const TRACE = '9e2a3dc06074b17540d54de4e51e735f';

  it('backfills bounds for spans stored before them', async () => {
    const db = await DuckDb.open(':memory:');
    try {
      const first = new DuckDbTraceStore(db);
      await first.init();
      await first.write([
        makeSpan({ trace_id: TRACE, start_time_unix_nano: T0 }),
      ]);
      // A database written before trace_bounds existed has none.
      await db.exec('DELETE FROM trace_bounds');

      const reopened = new DuckDbTraceStore(db);
      await reopened.init();
      const page = await reopened.listTraces({
        service: 'svc-a',
        start_ms: 1_780_000_000_000,
        end_ms: 1_780_000_060_000,
        limit: 20,
      });

      expect(page.items.map((t) => t.trace_id)).toEqual([TRACE]);
    } finally {
      await db.close();
    }
  });
});
