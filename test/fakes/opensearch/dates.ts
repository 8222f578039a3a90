const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

/** Largest `date_nanos` value: the signed 64-bit maximum, in 2262. */
export const MAX_DATE_NANOS = 2n ** 63n - 1n;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function offsetNanos(zone: string | undefined): bigint {
  if (!zone || zone === 'Z') return 0n;
  const sign = zone.startsWith('-') ? -1n : 1n;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return sign * BigInt(minutes) * 60n * NANOS_PER_SECOND;
}

/**
 * Parses `strict_date_optional_time` (and its `_nanos` form): a date,
 * optionally a time with up to nine fraction digits and an offset (UTC
 * when absent). Returns epoch nanoseconds, or undefined when invalid.
 */
export function parseIsoNanos(text: string): bigint | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'];
  const [y, mo, d, h, mi, s] = parts.map(Number) as number[];
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
  const check = new Date(ms);
  if (check.getUTCMonth() !== (mo ?? 1) - 1 || check.getUTCDate() !== d) {
    return undefined;
  }
  const below = BigInt((fraction ?? '').padEnd(9, '0'));
  return BigInt(ms) * NANOS_PER_MS + below - offsetNanos(zone);
}

/**
 * Parses a date value the way a date field with `format` does. The
 * formats the fake knows are `strict_date_optional_time`, its `_nanos`
 * form and `epoch_millis`, joined by `||`.
 */
export function parseDateValue(
  value: unknown,
  format: string,
): bigint | undefined {
  for (const name of format.split('||')) {
    if (name === 'epoch_millis') {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text === 'string' && /^-?\d{1,16}$/.test(text)) {
        return BigInt(text) * NANOS_PER_MS;
      }
    } else if (name.startsWith('strict_date_optional_time')) {
      if (typeof value !== 'string') continue;
      const nanos = parseIsoNanos(value);
      if (nanos !== undefined) return nanos;
    }
  }
  return undefined;
}

/** Formats epoch milliseconds as OpenSearch writes a bucket's key. */
export function isoOfMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Rounds nanoseconds down to milliseconds, as aggregations read them. */
export function msOfNanos(nanos: bigint): number {
  const ms = nanos / NANOS_PER_MS;
  return Number(nanos < 0n && nanos % NANOS_PER_MS !== 0n ? ms - 1n : ms);
}
