import { ValidationError } from '#shared/errors.js';
import { MAX_QUERY_RANGE_MS } from '#shared/limits.js';

/** Range read when the request gives no start: one hour. */
export const DEFAULT_LOG_RANGE_MS = 3_600_000;

/**
 * Maximum range a log read covers: 31 days. DuckDB has no text index, so
 * a log read scans every record of the range. The cap bounds that scan
 * and, for statistics, the bucket count.
 */
export const MAX_LOG_RANGE_MS = MAX_QUERY_RANGE_MS;

/** A time range in epoch milliseconds, both ends inclusive. */
export interface LogRange {
  start_ms: number;
  end_ms: number;
}

/**
 * Resolves optional request bounds: `end` defaults to `nowMs` and `start`
 * to one hour before `end`. Does not check the result.
 */
export function resolveLogRange(
  bounds: { start?: number; end?: number },
  nowMs: number,
): LogRange {
  const end_ms = bounds.end ?? nowMs;
  const start_ms = bounds.start ?? end_ms - DEFAULT_LOG_RANGE_MS;
  return { start_ms, end_ms };
}

/**
 * Raises a 400 naming `start` when the range runs backwards or spans more
 * than {@link MAX_LOG_RANGE_MS}.
 */
export function checkLogRange(range: LogRange): void {
  if (range.start_ms > range.end_ms) {
    throw rangeError('start is after end; send a start at or before end');
  }
  if (range.end_ms - range.start_ms > MAX_LOG_RANGE_MS) {
    const days = MAX_LOG_RANGE_MS / 86_400_000;
    throw rangeError(
      `the range from start to end exceeds the maximum of ${days} days; ` +
        'move start closer to end',
    );
  }
}

function rangeError(message: string): ValidationError {
  return new ValidationError(`invalid query: start: ${message}`, [
    { path: 'start', message },
  ]);
}
