/**
 * Computes a percentile by the one definition Observatory uses: linear
 * interpolation between the closest ranks, Hyndman and Fan's type 7. For
 * n values sorted ascending, x[0] ... x[n - 1], and a quantile q in
 * [0, 1]:
 *
 *   h = (n - 1) * q,  i = floor(h)
 *   percentile = x[i] + (h - i) * (x[i + 1] - x[i])
 *
 * One value is its own percentile for every q, and no values have no
 * percentile (null, never 0 or NaN). DuckDB's `quantile_cont` computes
 * the same, and the trace store contract suite checks this on DuckDB
 * 1.5, so a store that aggregates in SQL and code that sorts in memory
 * agree.
 *
 * Example: for [10, 20, 30, 40], p90 is h = 2.7, so 30 + 0.7 * 10 = 37.
 */
export function percentile(
  sorted: readonly number[],
  q: number,
): number | null {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`invalid quantile ${q}: expected a number in [0, 1]`);
  }
  if (sorted.length === 0) return null;

  const h = (sorted.length - 1) * q;
  const lowerRank = Math.floor(h);
  const lower = sorted[lowerRank] as number;
  const upper = sorted[Math.min(lowerRank + 1, sorted.length - 1)] as number;
  // Equal neighbours return exactly, without a rounding step in between.
  if (lower === upper) return lower;
  return lower + (h - lowerRank) * (upper - lower);
}

/** Sorts numbers ascending by value (Array.sort compares them as text). */
export function sortAscending(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}
