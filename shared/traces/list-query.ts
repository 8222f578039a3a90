import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { limitParam } from '../http/query-params.js';
import { parseInput } from '../http/request.js';
import { unknownParamError } from '../http/zod-details.js';
import { MAX_ATTRIBUTE_FILTERS, MAX_QUERY_RANGE_MS } from '../limits.js';
import { timestampSchema } from '../model/time.js';
import type { TraceListQuery } from '../store/ports.js';
import { decodeTraceCursor } from './cursor.js';

export const DEFAULT_TRACE_LIMIT = 20;
export const MAX_TRACE_LIMIT = 100;
const DEFAULT_RANGE_MS = 3_600_000;

/** Prefix of query parameters that filter on an attribute's value. */
export const ATTRIBUTE_PARAM_PREFIX = 'attr.';

/**
 * Longest duration filter: a year. Durations are compared in nanoseconds
 * as 64-bit integers, which hold about 292 years.
 */
const MAX_DURATION_MS = 365 * 86_400_000;

/** Builds a duration filter in milliseconds, read as nanoseconds. */
function durationParam(name: string) {
  return z
    .string()
    .refine(
      (text) => {
        const ms = Number(text);
        return (
          text.trim() !== '' &&
          Number.isFinite(ms) &&
          ms >= 0 &&
          ms <= MAX_DURATION_MS
        );
      },
      {
        error: (issue) =>
          `invalid ${name} ${JSON.stringify(issue.input)}: expected ` +
          `milliseconds from 0 to ${MAX_DURATION_MS} (a year), such as 250`,
      },
    )
    .transform((text) => BigInt(Math.round(Number(text) * 1e6)));
}

const listParamsShape = {
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
  limit: limitParam(MAX_TRACE_LIMIT).default(DEFAULT_TRACE_LIMIT),
  cursor: z
    .string()
    .min(1, {
      error:
        'invalid cursor: it is empty; pass next_cursor from the previous ' +
        'response unchanged, or omit cursor for the first page',
    })
    .optional(),
  min_duration_ms: durationParam('min_duration_ms').optional(),
  max_duration_ms: durationParam('max_duration_ms').optional(),
  errors_only: z
    .enum(['true', 'false'], {
      error: (issue) =>
        `invalid errors_only ${JSON.stringify(issue.input)}: expected ` +
        'true or false',
    })
    .transform((value) => value === 'true')
    .optional(),
  operation: z
    .string()
    .min(1, { error: 'is empty; send a span name, or omit operation' })
    .optional(),
};

const listParamsSchema = z.strictObject(listParamsShape, {
  error: unknownParamError([
    ...Object.keys(listParamsShape),
    `${ATTRIBUTE_PARAM_PREFIX}<key>`,
  ]),
});

/** Splits `attr.<key>=<value>` parameters from the others. */
function splitAttributes(params: Record<string, string>) {
  const attributes: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!name.startsWith(ATTRIBUTE_PARAM_PREFIX)) {
      rest[name] = value;
      continue;
    }
    const key = name.slice(ATTRIBUTE_PARAM_PREFIX.length);
    if (key === '') {
      throw new ValidationError(
        `invalid query: ${name}: attribute key is empty; use attr.<key>=<value>`,
        [{ path: name, message: 'empty attribute key' }],
      );
    }
    attributes[key] = value;
  }
  const count = Object.keys(attributes).length;
  if (count > MAX_ATTRIBUTE_FILTERS) {
    throw new ValidationError(
      `invalid query: ${ATTRIBUTE_PARAM_PREFIX}*: ${count} attribute ` +
        `filters, above the limit of ${MAX_ATTRIBUTE_FILTERS}; drop some`,
      [{ path: ATTRIBUTE_PARAM_PREFIX, message: 'too many attribute filters' }],
    );
  }
  return { attributes, rest };
}

function rangeError(message: string, path: string): ValidationError {
  return new ValidationError(`invalid query: ${path}: ${message}`, [
    { path, message },
  ]);
}

/**
 * Reads the query string of `GET /traces/service/{service_id}`. Parameter
 * names are matched as sent, because attribute keys are case-sensitive.
 * The range defaults to the hour before `nowMs`; the end is exclusive, and
 * the range may span at most 31 days.
 */
export function readTraceListQuery(
  service: string,
  params: Record<string, string>,
  nowMs: number,
): TraceListQuery {
  const { attributes, rest } = splitAttributes(params);
  const parsed = parseInput(listParamsSchema, rest, 'query');
  const end_ms = parsed.end ?? nowMs;
  const start_ms = parsed.start ?? end_ms - DEFAULT_RANGE_MS;
  if (start_ms >= end_ms) {
    throw rangeError('start must lie before end', 'start');
  }
  if (end_ms - start_ms > MAX_QUERY_RANGE_MS) {
    const days = MAX_QUERY_RANGE_MS / 86_400_000;
    throw rangeError(
      `the range from start to end exceeds the maximum of ${days} days; ` +
        'move start closer to end',
      'start',
    );
  }
  const { min_duration_ms: min, max_duration_ms: max } = parsed;
  if (min !== undefined && max !== undefined && min > max) {
    throw rangeError('must not exceed max_duration_ms', 'min_duration_ms');
  }
  // Decoding here turns a foreign cursor into a 400 before any query runs.
  if (parsed.cursor) decodeTraceCursor(parsed.cursor);

  return {
    service,
    start_ms,
    end_ms,
    limit: parsed.limit,
    cursor: parsed.cursor,
    min_duration_nano: min,
    max_duration_nano: max,
    errors_only: parsed.errors_only,
    operation: parsed.operation,
    attributes,
  };
}
