import { median } from './stats.js';

/**
 * Merges the results of repeated runs into one: every number becomes the
 * median of that number across runs, objects and arrays merge member by
 * member, lists of text are joined without repeats, and other values
 * keep the first run's. Runs must have the same shape, as runs of the
 * same settings do.
 */
export function mergeRuns<T>(runs: readonly T[]): T {
  const [first] = runs;
  if (first === undefined) throw new RangeError('no runs to merge');
  return mergeValues(runs as unknown[]) as T;
}

function mergeValues(values: unknown[]): unknown {
  const [first] = values;
  if (typeof first === 'number') return median(values as number[]);
  if (Array.isArray(first)) return mergeArrays(values as unknown[][]);
  if (first !== null && typeof first === 'object') {
    const merged: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      merged[key] = mergeValues(
        values.map((value) => (value as Record<string, unknown>)[key]),
      );
    }
    return merged;
  }
  return first;
}

function mergeArrays(arrays: unknown[][]): unknown[] {
  const [first] = arrays;
  if (!first) return [];
  const isText = arrays.some((array) =>
    array.some((item) => typeof item === 'string'),
  );
  if (isText) return [...new Set(arrays.flat())];
  return first.map((_, i) => mergeValues(arrays.map((array) => array[i])));
}
