import { z } from 'zod';
import { ValidationError } from '#shared/errors.js';
import { parseInput } from '#shared/http/request.js';
import { MAX_QUERY_RANGE_MS } from '#shared/limits.js';
import { SPAN_KINDS, type SpanKind } from '#shared/model/span.js';
import { timestampSchema } from '#shared/model/time.js';

/** Range read when the request gives no start: the hour before `end`. */
export const DEFAULT_STATISTICS_RANGE_MS = 3_600_000;

/**
 * Maximum range of `GET /traces/service/{service_id}/statistics`: 31 days.
 * Each request scans the service's spans in the range, so the cap bounds
 * that scan.
 */
export const MAX_STATISTICS_RANGE_MS = MAX_QUERY_RANGE_MS;

/** The parameters of a statistics request, resolved and checked. */
export interface StatisticsQuery {
  /** Inclusive start, epoch milliseconds. */
  start_ms: number;
  /** Exclusive end, epoch milliseconds. */
  end_ms: number;
  /** Only spans of these kinds; every kind when absent. */
  span_kinds?: SpanKind[];
}

const spanKindList = z.string().transform((text, ctx) => {
  const kinds = text.split(',').map((kind) => kind.trim().toLowerCase());
  const unknown = kinds.filter(
    (kind) => !(SPAN_KINDS as readonly string[]).includes(kind),
  );
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message:
        `unknown span kind ${JSON.stringify(unknown[0])}; use a ` +
        `comma-separated list of ${SPAN_KINDS.join(', ')}`,
    });
    return z.NEVER;
  }
  return [...new Set(kinds)] as SpanKind[];
});

const statisticsParamsSchema = z.strictObject({
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
  span_kind: spanKindList.optional(),
});

function rangeError(message: string): ValidationError {
  return new ValidationError(`invalid query: start: ${message}`, [
    { path: 'start', message },
  ]);
}

/**
 * Reads the query string of the statistics route. `end` defaults to
 * `nowMs` and `start` to one hour before `end`. Raises a 400 naming
 * `start` when the range is empty or longer than 31 days.
 */
export function readStatisticsQuery(
  params: Record<string, string>,
  nowMs: number,
): StatisticsQuery {
  const parsed = parseInput(statisticsParamsSchema, params, 'query');
  const end_ms = parsed.end ?? nowMs;
  const start_ms = parsed.start ?? end_ms - DEFAULT_STATISTICS_RANGE_MS;
  if (start_ms >= end_ms) {
    throw rangeError('start must lie before end; send an earlier start');
  }
  if (end_ms - start_ms > MAX_STATISTICS_RANGE_MS) {
    const days = MAX_STATISTICS_RANGE_MS / 86_400_000;
    throw rangeError(
      `the range from start to end exceeds the maximum of ${days} days; ` +
        'move start closer to end',
    );
  }
  return { start_ms, end_ms, span_kinds: parsed.span_kind };
}
