import { ValidationError } from '../errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Shortest window a query may cover, in milliseconds: one minute. */
export const MIN_WINDOW_MS = 60_000;

/**
 * Maximum window, in milliseconds: seven days, the default ingest window
 * (OBSERVATORY_INGEST_MAX_AGE_HOURS), so with the default configuration
 * no older spans are stored.
 */
export const MAX_WINDOW_MS = 7 * 86_400_000;

/** A trailing time range, such as the 15 minutes before now. */
export interface TimeWindow {
  /** The window as requested, such as `15m`. */
  text: string;
  start_ms: number;
  end_ms: number;
}

function invalidWindow(value: string, problem: string): ValidationError {
  const message =
    `invalid window ${JSON.stringify(value.slice(0, 32))}: ${problem}; ` +
    'send a whole number with a unit s, m, h or d, such as 5m, 15m, 1h or 24h';
  return new ValidationError(`invalid query: window: ${message}`, [
    { path: 'window', message },
  ]);
}

/** Converts a duration such as `15m` to milliseconds, or raises a 400. */
export function parseWindowMs(value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (!match?.[1] || !match[2]) throw invalidWindow(value, 'not a duration');
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) {
    throw invalidWindow(value, 'must lie between 1m and 7d');
  }
  return ms;
}

/** Builds the window ending at `nowMs` from `value`, else `fallback`. */
export function trailingWindow(
  value: string | undefined,
  fallback: string,
  nowMs: number,
): TimeWindow {
  const text = value ?? fallback;
  const ms = parseWindowMs(text);
  return { text: text.trim(), start_ms: nowMs - ms, end_ms: nowMs };
}
