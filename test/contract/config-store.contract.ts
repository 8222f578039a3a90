import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#shared/clock.js';
import type { ConfigStore } from '#shared/store/ports.js';

/** A fresh, empty store and a way to release it. */
export interface ConfigStoreHarness {
  store: ConfigStore;
  close(): Promise<void>;
}

const T0_MS = 1_780_000_000_000;

/**
 * The behaviour every config store adapter must share. Each adapter's
 * test file calls this with a factory that opens an empty store reading
 * the time from `clock`.
 */
export function configStoreContract(
  adapter: string,
  open: (clock: Clock) => Promise<ConfigStoreHarness>,
): void {
  describe(`config store contract: ${adapter}`, () => {
    let harness: ConfigStoreHarness;
    let store: ConfigStore;
    let nowMs: number;

    beforeEach(async () => {
      nowMs = T0_MS;
      harness = await open({ now: () => nowMs });
      store = harness.store;
    });
    afterEach(() => harness.close());

    /** Lists every id of a kind, page by page. */
    async function allIds(kind: string, limit: number) {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(kind, { limit, cursor });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((item) => item.id));
        cursor = page.next_cursor;
      } while (cursor);
      return ids;
    }

    describe('put and get', () => {
      it('returns the item with its update time', async () => {
        await store.put('service', 'checkout', { tier: 1 });

        expect(await store.get('service', 'checkout')).toEqual({
          kind: 'service',
          id: 'checkout',
          value: { tier: 1 },
          updated_ms: T0_MS,
        });
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.get('service', 'missing')).toBeUndefined();
      });

      it.each([
        ['a nested object', { a: { b: [1, 'x', null, true] }, c: '' }],
        ['an array', [3, 2, 1]],
        ['a string', 'text with "quotes" and ünïcode'],
        ['a fraction', 0.1],
        ['a boolean', false],
        ['null', null],
        ['an empty object', {}],
      ])('round-trips %s', async (_label, value) => {
        await store.put('doc', 'one', value);

        expect((await store.get('doc', 'one'))?.value).toEqual(value);
      });

      it('replaces the value and update time on a second put', async () => {
        await store.put('service', 'checkout', { tier: 1 });
        nowMs = T0_MS + 5_000;

        await store.put('service', 'checkout', { tier: 2 });

        const item = await store.get('service', 'checkout');
        expect(item?.value).toEqual({ tier: 2 });
        expect(item?.updated_ms).toBe(T0_MS + 5_000);
      });

      it('keeps kinds apart under one id', async () => {
        await store.put('service', 'x', 'a service');
        await store.put('alert', 'x', 'an alert');

        expect((await store.get('service', 'x'))?.value).toBe('a service');
        expect((await store.get('alert', 'x'))?.value).toBe('an alert');
      });
    });

    describe('list', () => {
      it('orders items by id, byte by byte', async () => {
        for (const id of ['b', 'a#1', 'A', 'a', 'a/b']) {
          await store.put('doc', id, id);
        }

        const page = await store.list('doc', { limit: 10 });

        expect(page.items.map((item) => item.id)).toEqual([
          'A',
          'a',
          'a#1',
          'a/b',
          'b',
        ]);
        expect(page.items.map((item) => item.value)).toEqual([
          'A',
          'a',
          'a#1',
          'a/b',
          'b',
        ]);
      });

      it('pages with a cursor without gaps or repeats', async () => {
        const ids = ['k1', 'k2', 'k3', 'k4', 'k5'];
        for (const id of ids) await store.put('doc', id, {});

        expect(await allIds('doc', 2)).toEqual(ids);
      });

      it('omits next_cursor when the page holds the rest', async () => {
        await store.put('doc', 'k1', {});
        await store.put('doc', 'k2', {});

        const page = await store.list('doc', { limit: 2 });

        expect(page.items).toHaveLength(2);
        expect(page.next_cursor).toBeUndefined();
      });

      it('lists only the requested kind', async () => {
        await store.put('doc', 'k1', {});
        await store.put('other', 'k2', {});

        expect(await allIds('doc', 10)).toEqual(['k1']);
      });

      it('returns no items for an unknown kind', async () => {
        expect(await store.list('nothing', { limit: 5 })).toEqual({
          items: [],
        });
      });
    });

    describe('delete', () => {
      it('removes an item and reports that it existed', async () => {
        await store.put('doc', 'k1', {});

        expect(await store.delete('doc', 'k1')).toBe(true);
        expect(await store.get('doc', 'k1')).toBeUndefined();
      });

      it('reports false for an item that does not exist', async () => {
        expect(await store.delete('doc', 'k1')).toBe(false);
      });

      it('leaves other kinds with the same id alone', async () => {
        await store.put('doc', 'k1', 'doc');
        await store.put('other', 'k1', 'other');

        await store.delete('doc', 'k1');

        expect((await store.get('other', 'k1'))?.value).toBe('other');
      });
    });
  });
}
