import { parseTimestamp } from '../model/time.js';

const NANOS_PER_MS = 1_000_000n;

/** Largest value of a signed 64-bit integer, the range of a BIGINT column. */
const INT64_MAX = 2n ** 63n - 1n;

/** The digits of an ISO 8601 fraction of a second, after the dot. */
const ISO_FRACTION = /T[\d:]+\.(\d+)/;

/**
 * The part of an ISO 8601 fraction below one millisecond, in nanoseconds.
 * `Date.parse` reads only milliseconds, so `.123456789` adds 456789 here.
 */
function subMillisecondNanos(value: number | string): bigint {
  if (typeof value !== 'string') return 0n;
  const fraction = ISO_FRACTION.exec(value.trim())?.[1];
  if (!fraction || fraction.length <= 3) return 0n;
  return BigInt(fraction.slice(3, 9).padEnd(6, '0'));
}

/**
 * Parses a timestamp of our API (ISO 8601 or epoch milliseconds) into
 * epoch nanoseconds. Digits of an ISO fraction beyond the ninth are
 * dropped. Returns undefined when the value is not a timestamp.
 */
export function nanosFromTimestamp(value: number | string): bigint | undefined {
  const ms = parseTimestamp(value);
  if (ms === undefined || !Number.isSafeInteger(ms)) return undefined;
  return BigInt(ms) * NANOS_PER_MS + subMillisecondNanos(value);
}

/**
 * Parses epoch nanoseconds sent as a decimal string (exact at any size), a
 * bigint, or a number that is a safe integer. Returns undefined for
 * anything else, including values that do not fit a signed 64-bit integer.
 */
export function nanosFromDecimal(value: unknown): bigint | undefined {
  let nanos: bigint | undefined;
  if (typeof value === 'bigint') nanos = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    nanos = BigInt(value);
  } else if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim())) {
    nanos = BigInt(value.trim());
  }
  if (nanos === undefined || nanos < 0n || nanos > INT64_MAX) return undefined;
  return nanos;
}

/** Converts epoch nanoseconds to whole epoch milliseconds, rounding down. */
export function msFromNanos(nanos: bigint): number {
  return Number(nanos / NANOS_PER_MS);
}

/** Converts epoch milliseconds to epoch nanoseconds. */
export function nanosFromMs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * NANOS_PER_MS;
}

/** Formats epoch nanoseconds as ISO 8601 with milliseconds, in UTC. */
export function isoFromNanos(nanos: bigint): string {
  return new Date(msFromNanos(nanos)).toISOString();
}

/** A nanosecond duration in milliseconds, with fractions (1 ns = 1e-6). */
export function durationMs(nanos: bigint): number {
  const whole = nanos / NANOS_PER_MS;
  const rest = nanos % NANOS_PER_MS;
  return Number(whole) + Number(rest) / 1e6;
}
