import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { ValidationError } from '#shared/errors.js';
import {
  type CatalogEntry,
  type CatalogQuery,
  listCatalog,
} from '#shared/services/catalog.js';
import { reportHealth } from '#shared/services/health.js';
import { compareNames } from '#shared/services/readers.js';
import { registerService } from '#shared/services/registry.js';
import { registrationSchema } from '#shared/services/schema.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';

const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const clock = fixedClock(NOW_MS);

const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => from + k);

/** Registered: 0..149 (team even or odd); seen in spans: 100..259. */
const REGISTERED = range(0, 150);
const OBSERVED = range(100, 260);
/** Reported down: two registered, one only seen in spans. */
const DOWN = [3, 120, 200];

let stores: Stores;

beforeAll(async () => {
  stores = await openDuckDbStores(':memory:');
  for (const i of REGISTERED) {
    const team = i % 2 === 0 ? 'even' : 'odd';
    const body = registrationSchema.parse({ name: name(i), team });
    await registerService(stores.config, clock, body);
  }
  await stores.topology.recordServices(
    OBSERVED.map((i) => ({
      service: name(i),
      first_seen_ms: NOW_MS,
      last_seen_ms: NOW_MS,
    })),
  );
  for (const i of DOWN) {
    await reportHealth(stores.config, clock, name(i), {
      status: 'down',
      reason: 'probe failed',
    });
  }
});
afterAll(() => stores.close());

/** Reads every page of the catalog with `limit` per page. */
async function readAll(
  query: Omit<CatalogQuery, 'limit' | 'cursor'>,
  limit: number,
) {
  const entries: CatalogEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listCatalog(stores, { ...query, limit, cursor });
    entries.push(...page.items);
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { entries, pages };
}

describe('listCatalog', () => {
  it('merges both sources by name across pages', async () => {
    const { entries, pages } = await readAll({}, 7);

    expect(entries.map((e) => e.name)).toEqual(range(0, 260).map(name));
    expect(pages).toBe(Math.ceil(260 / 7));
  });

  it('marks where each service is known from', async () => {
    const { entries } = await readAll({}, 50);
    const byName = new Map(entries.map((e) => [e.name, e]));

    expect(byName.get(name(99))?.record).toBeDefined();
    expect(byName.get(name(99))?.observed).toBeUndefined();
    expect(byName.get(name(120))?.record).toBeDefined();
    expect(byName.get(name(120))?.observed).toBeDefined();
    expect(byName.get(name(200))?.record).toBeUndefined();
  });

  it('filters by team across pages', async () => {
    const { entries } = await readAll({ team: 'odd' }, 3);

    expect(entries.map((e) => e.name)).toEqual(
      REGISTERED.filter((i) => i % 2 === 1).map(name),
    );
  });

  it('filters by health, including unregistered services', async () => {
    const { entries } = await readAll({ health: 'down' }, 2);

    expect(entries.map((e) => e.name)).toEqual(DOWN.map(name));
    expect(entries[0]?.health.reason).toBe('probe failed');
  });

  it('counts a service without reports as unknown', async () => {
    const { entries } = await readAll({ health: 'unknown' }, 100);

    expect(entries).toHaveLength(260 - DOWN.length);
  });

  it('omits the cursor on the last page', async () => {
    const page = await listCatalog(stores, { limit: 300 });

    expect(page.items).toHaveLength(260);
    expect(page.next_cursor).toBeUndefined();
  });

  it.each(['not-a-cursor', Buffer.from('{"a":1}').toString('base64url')])(
    'rejects the foreign cursor %j',
    async (cursor) => {
      const read = listCatalog(stores, { limit: 5, cursor });

      await expect(read).rejects.toBeInstanceOf(ValidationError);
    },
  );
});

describe('compareNames', () => {
  it('orders by UTF-8 bytes, as the stores sort', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units but before it in UTF-8.
    const names = ['\u{1F600}', '\uFF5E', 'a'];

    expect(names.sort(compareNames)).toEqual(['a', '\uFF5E', '\u{1F600}']);
  });
});
