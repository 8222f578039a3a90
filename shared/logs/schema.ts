import { z } from 'zod';
import { describeInput, jsonTypeName } from '#shared/http/zod-details.js';
import { MAX_BATCH_ITEMS, MAX_SERVICE_NAME_LENGTH } from '#shared/limits.js';
import { LOG_LEVELS } from '#shared/model/log.js';
import { parseTimestamp } from '#shared/model/time.js';
import { MAX_LOG_ATTRIBUTES } from './caps.js';
import { copyPlainObject, copyPlainValue } from './plain-value.js';

const NANOS_PER_MS = 1_000_000n;
const ISO_FRACTION = /T[^.]*\.(\d+)/;

/**
 * Converts an API timestamp (ISO 8601 or epoch milliseconds) to epoch
 * nanoseconds. ISO fractions finer than a millisecond are kept, so
 * `...00.123456789Z` is exact. Returns undefined when unreadable.
 */
export function nanosFromTimestamp(value: number | string) {
  const ms = parseTimestamp(value);
  if (ms === undefined) return undefined;

  const fraction =
    typeof value === 'string' ? ISO_FRACTION.exec(value)?.[1] : undefined;
  // Date.parse truncates to whole milliseconds, so digits 4-9 add on top.
  const belowMs = (fraction ?? '').padEnd(9, '0').slice(3, 9);
  return BigInt(ms) * NANOS_PER_MS + BigInt(belowMs || '0');
}

const timestampField = z
  .union([z.number(), z.string()])
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

/**
 * Adds an issue at `path` below the field and returns z.NEVER, for a
 * transform to return. A module function rather than a closure per call,
 * because these transforms run for every record of a batch.
 */
function reject(
  ctx: z.RefinementCtx,
  input: unknown,
  message: string,
  path: PropertyKey[] = [],
): never {
  ctx.addIssue({ code: 'custom', path, message, input });
  return z.NEVER;
}

const MAX_INT64 = 2n ** 63n - 1n;
const UNIX_NANO_ERROR =
  'invalid time_unix_nano: expected epoch nanoseconds as a decimal string';
const DECIMAL_NANOS = /^\d{1,19}$/;

/**
 * Epoch nanoseconds as a decimal string, or as a JSON integer above 2^53
 * that the exact JSON parser read as bigint. A smaller JSON number is
 * rejected: it cannot be a recent time in nanoseconds.
 */
const unixNanoField = z.unknown().transform((value, ctx) => {
  let nanos: bigint | undefined;
  if (typeof value === 'bigint') nanos = value;
  else if (typeof value === 'string' && DECIMAL_NANOS.test(value)) {
    nanos = BigInt(value);
  }
  if (nanos === undefined || nanos < 0n || nanos > MAX_INT64) {
    return reject(ctx, value, UNIX_NANO_ERROR);
  }
  return nanos;
});

const NOT_PLAIN =
  'invalid value: expected a JSON string, finite number, boolean, null, ' +
  'array or object';
const NOT_ATTRIBUTES =
  'invalid value: expected an object of keys and JSON values';
const TOO_MANY_ATTRIBUTES = `too many keys: the limit is ${MAX_LOG_ATTRIBUTES} per record`;

/** Checks a JSON value, naming the first part that is not JSON. */
const plainValue = z.unknown().transform((value, ctx) => {
  const path: PropertyKey[] = [];
  const copy = copyPlainValue(value, path);
  return copy === undefined ? reject(ctx, value, NOT_PLAIN, path) : copy;
});

const levelField = z
  .string()
  .refine(
    (value) => (LOG_LEVELS as readonly string[]).includes(value.toUpperCase()),
    {
      error: (issue) =>
        `invalid level ${JSON.stringify(issue.input)}: expected one of ` +
        `${LOG_LEVELS.join(', ')} (any case); send other severity ` +
        'names as severity_text',
    },
  );

/** Builds an optional hex id field where `""` means absent, as in OTLP. */
function optionalHexId(name: string, digits: number) {
  const hex = new RegExp(`^[0-9a-fA-F]{${digits}}$`);
  const zeros = new RegExp(`^0{${digits}}$`);
  const malformed = `invalid ${name}: expected ${digits} hexadecimal digits`;
  const allZeros = `invalid ${name}: all zeros is not a valid id`;
  return z
    .string()
    .transform((value, ctx) => {
      if (value === '') return undefined;
      if (!hex.test(value)) return reject(ctx, value, malformed);
      if (zeros.test(value)) return reject(ctx, value, allZeros);
      return value.toLowerCase();
    })
    .optional();
}

/** Builds the message for a string over `max`: length, limit and fix. */
function tooLong(max: number, fix: string) {
  return (issue: { input?: unknown }) =>
    `too long: ${String(issue.input).length} characters, above the limit ` +
    `of ${max}; ${fix}`;
}

const severityNumberError = (issue: { input?: unknown }) =>
  `invalid severity_number ${describeInput(issue.input)}: expected a ` +
  'whole number from 0 to 24, the OTLP severity range';

const severityNumberField = z
  .number({ error: severityNumberError })
  .refine((value) => Number.isInteger(value) && value >= 0 && value <= 24, {
    error: severityNumberError,
  });

/** Attributes: an object of at most MAX_LOG_ATTRIBUTES JSON values. */
const attributesField = z.unknown().transform((value, ctx) => {
  if (!z.core.util.isPlainObject(value)) {
    return reject(ctx, value, NOT_ATTRIBUTES);
  }
  const path: PropertyKey[] = [];
  const copy = copyPlainObject(value, path);
  if (copy === undefined) return reject(ctx, value, NOT_PLAIN, path);
  if (Object.keys(copy).length > MAX_LOG_ATTRIBUTES) {
    return reject(ctx, value, TOO_MANY_ATTRIBUTES);
  }
  return copy;
});

/** One log record as our JSON API accepts it. */
export const logInputSchema = z
  .strictObject(
    {
      id: z
        .string()
        .min(1, { error: 'is empty; send the id from the source, or omit id' })
        .max(512, { error: tooLong(512, 'shorten the id') })
        .optional(),
      service: z
        .string()
        .trim()
        .min(1, { error: 'is empty; send the service name' })
        .max(MAX_SERVICE_NAME_LENGTH, {
          error: tooLong(MAX_SERVICE_NAME_LENGTH, 'shorten the service name'),
        })
        .optional(),
      timestamp: timestampField.optional(),
      time_unix_nano: unixNanoField.optional(),
      level: levelField.optional(),
      severity_number: severityNumberField.optional(),
      severity_text: z
        .string()
        .max(64, { error: tooLong(64, 'shorten severity_text') })
        .optional(),
      message: z
        .string({
          error:
            'invalid message: expected a string; send other JSON values ' +
            'as body',
        })
        .optional(),
      body: plainValue.optional(),
      trace_id: optionalHexId('trace_id', 32),
      span_id: optionalHexId('span_id', 16),
      attributes: attributesField.optional(),
      resource: attributesField.optional(),
    },
    { error: recordIssueMessage },
  )
  .superRefine(checkCombinations);

export type LogInput = z.output<typeof logInputSchema>;

/**
 * Words the issue of a record that is not an object or has unknown
 * fields; other issues keep their own message.
 */
function recordIssueMessage(issue: z.core.$ZodRawIssue) {
  if (issue.code === 'unrecognized_keys') {
    return (
      `unknown field(s) ${issue.keys.join(', ')}; put custom fields ` +
      'under attributes'
    );
  }
  if (issue.code === 'invalid_type') {
    return (
      `invalid log record: expected an object such as ` +
      `{"service": "checkout", "message": "..."}, received ` +
      jsonTypeName(issue.input)
    );
  }
  return undefined;
}

function checkCombinations(input: LogInputShape, ctx: z.RefinementCtx) {
  if (input.timestamp !== undefined && input.time_unix_nano !== undefined) {
    addProblem(ctx, 'timestamp', 'send timestamp or time_unix_nano, not both');
  }
  if (input.message !== undefined && input.body !== undefined) {
    addProblem(ctx, 'body', 'send message or body, not both');
  }
  if (input.message === undefined && input.body === undefined) {
    addProblem(ctx, 'message', 'missing: send the log text as message');
  }
  if (serviceOf(input) === undefined) {
    addProblem(
      ctx,
      'service',
      'missing: send service, or resource["service.name"] as a string',
    );
  }
  if (input.span_id && !input.trace_id) {
    addProblem(ctx, 'trace_id', 'missing: a span_id needs its trace_id');
  }
}

function addProblem(ctx: z.RefinementCtx, path: string, message: string) {
  ctx.addIssue({ code: 'custom', path: [path], message });
}

/** Returns `service`, else `resource["service.name"]`, else undefined. */
export function serviceOf(input: {
  service?: string;
  resource?: Record<string, unknown>;
}): string | undefined {
  if (input.service) return input.service;
  const fromResource = input.resource?.['service.name'];
  return typeof fromResource === 'string' && fromResource.trim() !== ''
    ? fromResource
    : undefined;
}

interface LogInputShape {
  service?: string;
  resource?: Record<string, unknown>;
  timestamp?: bigint;
  time_unix_nano?: bigint;
  message?: string;
  body?: unknown;
  trace_id?: string;
  span_id?: string;
}

/** The batch body: `{"logs": [...]}`, each item checked on its own. */
export const logBatchSchema = z.strictObject({
  logs: z
    .array(z.unknown(), { error: 'missing: send {"logs": [...]}' })
    .max(MAX_BATCH_ITEMS, {
      error:
        `too many records: the limit is ${MAX_BATCH_ITEMS} per batch; ` +
        'split the batch',
    }),
});
