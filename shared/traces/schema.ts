import { z } from 'zod';
import { describeInput, jsonTypeName } from '../http/zod-details.js';
import { MAX_BATCH_ITEMS } from '../limits.js';
import type { PlainValue } from '../model/attributes.js';
import {
  serviceNameSchema,
  spanIdSchema,
  traceIdSchema,
} from '../model/ids.js';
import { SPAN_KINDS, STATUS_CODES } from '../model/span.js';
import { nanosFromDecimal, nanosFromTimestamp } from './timestamps.js';

/** An attribute value as our JSON API takes it: any JSON value. */
const plainValueSchema: z.ZodType<PlainValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.bigint(),
    z.boolean(),
    z.null(),
    z.array(plainValueSchema),
    z.record(z.string(), plainValueSchema),
  ]),
);

const attributesSchema = z.record(z.string(), plainValueSchema).default({});

/**
 * Lower-cases text before an enum check, so `SERVER` reads as `server`.
 * The error names `field` and lists the accepted values.
 */
function caseInsensitive<T extends readonly [string, ...string[]]>(
  field: string,
  values: T,
) {
  const accepted = values.join(', ');
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() : value),
    z.enum(values, {
      error: (issue) =>
        `invalid ${field} ${describeInput(issue.input)}: expected one ` +
        `of ${accepted} (any case)`,
    }),
  );
}

/** Builds a required name field: a non-empty string. */
function nameField(what: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `missing: send the ${what} name, such as "GET /checkout"`
          : `invalid name: expected a string, received ` +
            `${jsonTypeName(issue.input)}; send the ${what} name as text`,
    })
    .min(1, { error: `is empty; send a non-empty ${what} name` });
}

/** ISO 8601 or epoch milliseconds, read as epoch nanoseconds. */
const timestampNanos = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const nanos = nanosFromTimestamp(value);
    if (nanos === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          `invalid timestamp ${JSON.stringify(value)}: expected ISO 8601 ` +
          '(2026-01-31T12:00:00.123Z) or epoch milliseconds',
      });
      return z.NEVER;
    }
    return nanos;
  });

/** Epoch nanoseconds as a decimal string, exact beyond 2^53. */
const decimalNanos = z
  .union([z.string(), z.number(), z.bigint()])
  .transform((value, ctx) => {
    const nanos = nanosFromDecimal(value);
    if (nanos === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          `invalid nanosecond timestamp ${JSON.stringify(String(value))}: ` +
          'expected epoch nanoseconds as a decimal string such as ' +
          '"1769860800123456789"',
      });
      return z.NEVER;
    }
    return nanos;
  });

const eventSchema = z.strictObject({
  name: nameField('event'),
  time: timestampNanos.optional(),
  time_unix_nano: decimalNanos.optional(),
  attributes: attributesSchema,
});

const linkSchema = z.strictObject({
  trace_id: traceIdSchema,
  span_id: spanIdSchema,
  trace_state: z.string().default(''),
  attributes: attributesSchema,
});

const scopeSchema = z.strictObject({
  name: z.string().default(''),
  version: z.string().default(''),
  attributes: attributesSchema,
});

const statusSchema = z.strictObject({
  code: caseInsensitive('status code', STATUS_CODES).default('unset'),
  message: z.string().default(''),
});

/**
 * One span of our JSON API, before times and attributes are converted.
 * Start and end come as `start_time`/`end_time` (ISO 8601 or epoch ms) or
 * as `start_time_unix_nano`/`end_time_unix_nano` (decimal strings).
 * Unknown fields are rejected so a misspelt field is never dropped.
 */
export const jsonSpanSchema = z.strictObject({
  trace_id: traceIdSchema.optional(),
  span_id: spanIdSchema,
  // "" (how OTLP marks no parent) and null both mean a root span.
  parent_span_id: z
    .preprocess(
      (value) => (value === '' ? null : value),
      spanIdSchema.nullable(),
    )
    .optional()
    .transform((value) => value ?? null),
  trace_state: z.string().default(''),
  service: serviceNameSchema.optional(),
  name: nameField('span'),
  kind: caseInsensitive('kind', SPAN_KINDS).default('unspecified'),
  start_time: timestampNanos.optional(),
  end_time: timestampNanos.optional(),
  start_time_unix_nano: decimalNanos.optional(),
  end_time_unix_nano: decimalNanos.optional(),
  status: statusSchema.default({ code: 'unset', message: '' }),
  attributes: attributesSchema,
  resource: attributesSchema,
  scope: scopeSchema.optional(),
  events: z.array(eventSchema).default([]),
  links: z.array(linkSchema).default([]),
});

export type JsonSpan = z.output<typeof jsonSpanSchema>;

/** The span list of a request; each span is checked on its own later. */
const spanListSchema = z
  .array(z.unknown())
  .max(
    MAX_BATCH_ITEMS,
    `too many spans: send at most ${MAX_BATCH_ITEMS} per request`,
  );

/** `POST /traces/spans/ingest`: spans of any traces, in any order. */
export const spansBodySchema = z.strictObject({ spans: spanListSchema });

/** `POST /traces/ingest`: spans of one trace; spans may omit `trace_id`. */
export const traceBodySchema = z.strictObject({
  trace_id: traceIdSchema,
  spans: spanListSchema,
});
