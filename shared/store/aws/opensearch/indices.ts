const NANOS_PER_MS = 1_000_000n;
const DAY_MS = 86_400_000;

/**
 * Longest range whose daily indices a search names one by one: 62 days.
 * A longer range reads `prefix-*` and leaves it to the time filter.
 */
export const MAX_NAMED_DAYS = 62;

function dayOf(prefix: string, ms: number): string {
  const day = new Date(ms).toISOString().slice(0, 10);
  return `${prefix}-${day.replaceAll('-', '.')}`;
}

/** Returns the daily index of a time: `prefix-YYYY.MM.DD` in UTC. */
export function dailyIndexOf(prefix: string, nanos: bigint): string {
  return dayOf(prefix, Number(nanos / NANOS_PER_MS));
}

/**
 * Returns the indices a search of the inclusive range reads, joined by
 * commas: one per UTC day, so other days' shards are never asked.
 */
export function searchIndicesOf(
  prefix: string,
  range: { start_ms: number; end_ms: number },
): string {
  const first = Math.floor(range.start_ms / DAY_MS);
  const last = Math.floor(range.end_ms / DAY_MS);
  if (last < first || last - first + 1 > MAX_NAMED_DAYS) return `${prefix}-*`;

  const names: string[] = [];
  for (let day = first; day <= last; day += 1) {
    names.push(dayOf(prefix, day * DAY_MS));
  }
  return names.join(',');
}
