import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { MetricInfo, MetricListQuery } from '../model/metric.js';
import { isoFromMs } from '../model/time.js';

/** Metrics one list page returns when the request sets no `limit`. */
export const DEFAULT_METRIC_LIST_LIMIT = 500;
/** Maximum number of metrics one list page returns. */
export const MAX_METRIC_LIST_LIMIT = 1_000;

/** The query string of the metric list route. */
export const metricListParamsSchema = z.object({
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(MAX_METRIC_LIST_LIMIT, {
      error: `must be at most ${MAX_METRIC_LIST_LIMIT}`,
    })
    .default(DEFAULT_METRIC_LIST_LIMIT),
  cursor: z.string().optional(),
});

export type MetricListParams = z.output<typeof metricListParamsSchema>;

/** Encodes the last name of a page as an opaque cursor. */
export function encodeMetricCursor(name: string): string {
  return Buffer.from(JSON.stringify({ after: name })).toString('base64url');
}

function invalidCursor(): ValidationError {
  const message =
    'is not a cursor this route returned; send next_cursor from the ' +
    'previous page unchanged, or leave it out';
  return new ValidationError(`invalid query: cursor: ${message}`, [
    { path: 'cursor', message },
  ]);
}

/** Decodes a cursor back to the name to continue after. */
export function decodeMetricCursor(cursor: string): string {
  try {
    const text = Buffer.from(cursor, 'base64url').toString('utf8');
    const parsed = JSON.parse(text) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Falls through to the 400 below.
  }
  throw invalidCursor();
}

/**
 * Builds the store query for one page. It requests one metric more than
 * the page size, so the result shows whether another page follows.
 */
export function toMetricListQuery(
  service: string,
  params: MetricListParams,
): MetricListQuery {
  const query: MetricListQuery = { service, limit: params.limit + 1 };
  if (params.cursor !== undefined) {
    query.after = decodeMetricCursor(params.cursor);
  }
  return query;
}

/** Shapes one page for the API: ISO last-seen times and `next_cursor`. */
export function metricListResponse(
  service: string,
  metrics: MetricInfo[],
  limit: number,
) {
  const page = metrics.slice(0, limit);
  const last = page[page.length - 1];
  return {
    service,
    metrics: page.map(({ last_seen_ms, ...info }) => ({
      ...info,
      last_seen: isoFromMs(last_seen_ms),
    })),
    ...(metrics.length > limit && last
      ? { next_cursor: encodeMetricCursor(last.name) }
      : {}),
  };
}
