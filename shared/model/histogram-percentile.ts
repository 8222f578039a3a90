/**
 * Percentiles of bucketed data: explicit-bucket and base-2 exponential
 * histograms. Raw values use the type 7 definition in `./percentile.ts`;
 * buckets have no raw values, so they use the interpolation below.
 *
 * Definition. Each bucket spreads its count evenly between a lower and
 * an upper edge, and a bucket whose edges are equal puts its count at
 * that one value. For N observations in all and a quantile q, the rank
 * is r = q * N, and the percentile is the smallest value x at which the
 * cumulative count reaches r. Inside the bucket that contains the rank this
 * is linear: x = lower + (upper - lower) * (r - below) / count, where
 * `below` counts the observations of lower buckets. So q = 0 gives the
 * lowest edge of a non-empty bucket and q = 1 the highest.
 *
 * Edges of an explicit histogram with bounds b[0] < ... < b[k-1]: bucket
 * 0 is (-inf, b[0]], bucket i is (b[i-1], b[i]] and bucket k is (b[k-1],
 * +inf). The open lower edge becomes `min` when known, else 0 when
 * b[0] >= 0, else b[0]. The open upper edge becomes `max` when known,
 * else b[k-1].
 *
 * Edges of an exponential histogram of scale s: base = 2^(2^-s), positive
 * bucket index i covers (base^i, base^(i+1)], negative bucket index i
 * covers [-base^(i+1), -base^i), and the zero bucket puts its count at 0.
 *
 * Every edge is then clipped to [min, max] where those are known, because
 * no observation lies outside them.
 *
 * Example: bounds [10, 20, 30], counts [0, 10, 0, 0]: p90 has r = 9, in
 * bucket (10, 20], so 10 + 10 * 9 / 10 = 19.
 */

/** Observations spread evenly over [lower, upper]. */
export interface ValueBucket {
  lower: number;
  upper: number;
  count: number;
}

/** The known extremes of the observations; null when unknown. */
export interface Extremes {
  min: number | null;
  max: number | null;
}

/** Clamps each bucket's edges into [min, max], as far as those are known. */
function clip(buckets: ValueBucket[], extremes: Extremes): ValueBucket[] {
  const low = extremes.min ?? Number.NEGATIVE_INFINITY;
  const high = extremes.max ?? Number.POSITIVE_INFINITY;
  const clamp = (x: number) => Math.min(Math.max(x, low), high);
  return buckets.map((b) => ({
    ...b,
    lower: clamp(b.lower),
    upper: clamp(b.upper),
  }));
}

/**
 * Builds the buckets of an explicit histogram (`counts` has one more entry
 * than `bounds`). With no bounds the single bucket needs both `min` and
 * `max`; without them it gives no buckets, so no percentile.
 */
export function explicitBuckets(
  bounds: readonly number[],
  counts: readonly number[],
  extremes: Extremes,
): ValueBucket[] {
  const first = bounds[0];
  const last = bounds[bounds.length - 1];
  if (first === undefined || last === undefined) {
    const { min, max } = extremes;
    if (min === null || max === null) return [];
    return [{ lower: min, upper: max, count: counts[0] ?? 0 }];
  }

  const openLower = extremes.min ?? Math.min(first, 0);
  const openUpper = extremes.max ?? last;
  const buckets = counts.map((count, i) => ({
    lower: i === 0 ? openLower : (bounds[i - 1] as number),
    upper: i === bounds.length ? openUpper : (bounds[i] as number),
    count,
  }));
  return clip(buckets, extremes);
}

/**
 * Base-2 exponential buckets of one scale, as OTLP defines them, with the
 * counts of each side keyed by absolute bucket index.
 */
export interface ExponentialCounts {
  scale: number;
  zero_count: number;
  positive: ReadonlyMap<number, number>;
  negative: ReadonlyMap<number, number>;
}

/** Returns base^index for base = 2^(2^-scale), the bucket boundary. */
export function exponentialBoundary(scale: number, index: number): number {
  return 2 ** (index * 2 ** -scale);
}

/** Builds the buckets of an exponential histogram, lowest value first. */
export function exponentialBuckets(
  counts: ExponentialCounts,
  extremes: Extremes,
): ValueBucket[] {
  const edge = (i: number) => exponentialBoundary(counts.scale, i);
  const byIndex = (side: ReadonlyMap<number, number>) =>
    [...side.entries()].sort(([a], [b]) => a - b);
  const negative = byIndex(counts.negative)
    .reverse()
    .map(([i, count]) => ({ lower: -edge(i + 1), upper: -edge(i), count }));
  const zero = { lower: 0, upper: 0, count: counts.zero_count };
  const positive = byIndex(counts.positive).map(([i, count]) => ({
    lower: edge(i),
    upper: edge(i + 1),
    count,
  }));
  return clip([...negative, zero, ...positive], extremes);
}

/** A value at which buckets start or end, or observations sit. */
interface Edge {
  at: number;
  /** Observations that sit exactly at this value. */
  jump: number;
  /** Buckets spread over the values from here on. */
  opening: ValueBucket[];
  /** Buckets spread over the values up to here. */
  closing: ValueBucket[];
}

function edgesOf(buckets: readonly ValueBucket[]): Edge[] {
  const byValue = new Map<number, Edge>();
  const edge = (at: number) => {
    let found = byValue.get(at);
    if (!found) {
      found = { at, jump: 0, opening: [], closing: [] };
      byValue.set(at, found);
    }
    return found;
  };
  for (const bucket of buckets) {
    if (!(bucket.count > 0)) continue;
    if (bucket.upper <= bucket.lower) {
      edge(bucket.lower).jump += bucket.count;
      continue;
    }
    edge(bucket.lower).opening.push(bucket);
    edge(bucket.upper).closing.push(bucket);
  }
  return [...byValue.values()].sort((a, b) => a.at - b.at);
}

/**
 * Counts the observations of the open buckets in [from, to]. Each adds the
 * share of its width that the span covers, so a span equal to a whole
 * bucket adds its count exactly.
 */
function countBetween(open: Set<ValueBucket>, from: number, to: number) {
  let count = 0;
  for (const bucket of open) {
    count += bucket.count * ((to - from) / (bucket.upper - bucket.lower));
  }
  return count;
}

/**
 * Computes the q-quantile of buckets by the definition at the top of this
 * file. Buckets may overlap, as those of histograms with different bounds
 * do: their counts add up wherever they overlap. Returns null when the
 * buckets hold no observations.
 */
export function bucketPercentile(
  buckets: readonly ValueBucket[],
  q: number,
): number | null {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`invalid quantile ${q}: expected a number in [0, 1]`);
  }
  const edges = edgesOf(buckets);
  const total = buckets.reduce((n, b) => n + Math.max(b.count, 0), 0);
  const first = edges[0];
  if (first === undefined || total === 0) return null;

  const rank = q * total;
  const open = new Set<ValueBucket>();
  let below = 0;
  let previous = first.at;
  for (const edge of edges) {
    const between = countBetween(open, previous, edge.at);
    if (below + between >= rank && between > 0) {
      return previous + ((edge.at - previous) * (rank - below)) / between;
    }
    below += between + edge.jump;
    if (below >= rank) return edge.at;
    for (const bucket of edge.closing) open.delete(bucket);
    for (const bucket of edge.opening) open.add(bucket);
    previous = edge.at;
  }
  // Rounding can leave the total a hair below the rank at q = 1.
  return previous;
}
