import { z } from 'zod';
import { describeInput } from '#shared/http/zod-details.js';
import { MAX_ATTRIBUTE_FILTERS } from '#shared/limits.js';
import { traceIdSchema } from '#shared/model/ids.js';
import {
  type KnownLevel,
  LOG_LEVELS,
  type LogQuery,
  levelRank,
} from '#shared/model/log.js';
import { timestampSchema } from '#shared/model/time.js';
import { decodeLogCursor } from './cursor.js';
import { checkLogRange, resolveLogRange } from './range.js';

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;
/** Maximum length of a search query, in characters. */
export const MAX_LOG_QUERY_LENGTH = 1024;

/** Search text, in the body of a search or the query string of a list. */
export const searchTextSchema = z.string().max(MAX_LOG_QUERY_LENGTH, {
  error: (issue) =>
    `too long: ${String(issue.input).length} characters, above the limit ` +
    `of ${MAX_LOG_QUERY_LENGTH}; shorten the query`,
});

/** A level name in any case, parsed to upper case. */
export const levelNameSchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(
    z.enum(LOG_LEVELS, {
      error: `invalid level: expected one of ${LOG_LEVELS.join(', ')}`,
    }),
  );

const attributeFilter = z
  .record(
    z.string(),
    z.union([z.string(), z.number(), z.bigint(), z.boolean()]),
  )
  .refine((filters) => Object.keys(filters).length <= MAX_ATTRIBUTE_FILTERS, {
    error: `must have at most ${MAX_ATTRIBUTE_FILTERS} attribute filters`,
  })
  .transform((filters) =>
    Object.fromEntries(
      Object.entries(filters).map(([key, value]) => [key, String(value)]),
    ),
  );

const limitError = (issue: { input?: unknown }) =>
  `invalid limit ${describeInput(issue.input)}: expected a whole number ` +
  `from 1 to ${MAX_LOG_LIMIT}`;

/** The body of `POST /logs/search`. */
export const logSearchSchema = z
  .strictObject({
    query: searchTextSchema.optional(),
    service: z
      .string()
      .min(1, { error: 'is empty; send the service name, or omit service' })
      .optional(),
    min_level: levelNameSchema.optional(),
    max_level: levelNameSchema.optional(),
    start: timestampSchema.optional(),
    end: timestampSchema.optional(),
    trace_id: traceIdSchema.optional(),
    attributes: attributeFilter.optional(),
    limit: z
      .number({ error: limitError })
      .refine(
        (value) =>
          Number.isInteger(value) && value >= 1 && value <= MAX_LOG_LIMIT,
        { error: limitError },
      )
      .optional(),
    cursor: z.string().optional(),
  })
  .superRefine(checkSearchFields);

export type LogSearchInput = z.output<typeof logSearchSchema>;

/**
 * Checks the fields of a search that depend on each other (start and end,
 * min_level and max_level) and the cursor. Shared by the search body and
 * the query strings of the service log routes.
 */
export function checkSearchFields(
  input: SearchShape,
  ctx: z.RefinementCtx,
): void {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });

  if (input.start !== undefined && input.end !== undefined) {
    if (input.start > input.end) problem('start', 'start is after end');
  }
  if (input.min_level && input.max_level) {
    if (levelRank(input.min_level) > levelRank(input.max_level)) {
      problem('min_level', 'min_level is above max_level');
    }
  }
  if (input.cursor !== undefined && !decodeLogCursor(input.cursor)) {
    problem(
      'cursor',
      'invalid cursor: pass next_cursor from the previous response unchanged',
    );
  }
}

/** The fields {@link checkSearchFields} reads. */
export interface SearchShape {
  start?: number;
  end?: number;
  min_level?: KnownLevel;
  max_level?: KnownLevel;
  cursor?: string;
}

/**
 * Builds the store query from a validated request. The range defaults to
 * the hour before `nowMs`, or the hour before `end` when only it is given.
 * Raises a 400 naming `start` when the range is backwards or too long.
 */
export function logQueryOf(input: LogSearchInput, nowMs: number): LogQuery {
  const range = resolveLogRange(input, nowMs);
  checkLogRange(range);
  const query: LogQuery = { ...range, limit: input.limit ?? DEFAULT_LOG_LIMIT };
  if (input.query !== undefined) query.text = input.query;
  if (input.service !== undefined) query.service = input.service;
  if (input.min_level !== undefined) query.min_level = input.min_level;
  if (input.max_level !== undefined) query.max_level = input.max_level;
  if (input.trace_id !== undefined) query.trace_id = input.trace_id;
  if (input.attributes !== undefined) query.attributes = input.attributes;
  if (input.cursor !== undefined) query.cursor = input.cursor;
  return query;
}
