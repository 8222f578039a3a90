import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  chunk,
  mapLimit,
} from '#shared/store/aws/dynamodb/batch.js';

describe('chunk', () => {
  it('splits into parts of at most the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('returns no parts for no items', () => {
    expect(chunk([], 25)).toEqual([]);
  });
});

describe('mapLimit', () => {
  it('returns results in input order', async () => {
    const delays = [30, 0, 10];

    const results = await mapLimit(delays, 3, async (ms, index) => {
      await new Promise((done) => setTimeout(done, ms));
      return index;
    });

    expect(results).toEqual([0, 1, 2]);
  });

  it('keeps at most the limit in flight', async () => {
    let running = 0;
    let peak = 0;

    await mapLimit(Array.from({ length: 20 }), 4, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((done) => setTimeout(done, 1));
      running -= 1;
    });

    expect(peak).toBe(4);
  });

  it('rejects with the first failure', async () => {
    const run = mapLimit([1, 2], 2, async (n) => {
      if (n === 2) throw new Error('boom');
      return n;
    });

    await expect(run).rejects.toThrow('boom');
  });
});

describe('backoffMs', () => {
  it.each([
    [1, 50],
    [3, 200],
    [20, 2000],
  ])('stays under the cap on attempt %i', (attempt, cap) => {
    expect(backoffMs(attempt, () => 0.999_999)).toBe(cap - 1);
    expect(backoffMs(attempt, () => 0)).toBe(0);
  });
});
