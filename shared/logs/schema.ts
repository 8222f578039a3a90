import { z } from 'zod';
import { MAX_BATCH_ITEMS } from '#shared/limits.js';
import type { PlainValue } from '#shared/model/attributes.js';
import { LOG_LEVELS } from '#shared/model/log.js';
import { parseTimestamp } from '#shared/model/time.js';
import { MAX_LOG_ATTRIBUTES } from './caps.js';

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

const MAX_INT64 = 2n ** 63n - 1n;
const UNIX_NANO_ERROR =
  'invalid time_unix_nano: expected epoch nanoseconds as a decimal string';

/**
 * Epoch nanoseconds as a decimal string, or as a JSON integer above 2^53
 * that the exact JSON parser read as bigint. A smaller JSON number is
 * rejected: it cannot be a recent time in nanoseconds.
 */
const unixNanoField = z
  .union([z.string().regex(/^\d{1,19}$/), z.bigint()], {
    error: UNIX_NANO_ERROR,
  })
  .transform((value) => BigInt(value))
  .refine((value) => value >= 0n && value <= MAX_INT64, {
    error: UNIX_NANO_ERROR,
  });

/** A JSON value; integers beyond 2^53 arrive as bigint and stay exact. */
const plainValue: z.ZodType<PlainValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.bigint(),
    z.boolean(),
    z.null(),
    z.array(plainValue),
    z.record(z.string(), plainValue),
  ]),
);

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
  return z
    .string()
    .regex(/^([0-9a-fA-F]*)$/, {
      error: `invalid ${name}: expected ${digits} hexadecimal digits`,
    })
    .refine((value) => value === '' || value.length === digits, {
      error: `invalid ${name}: expected ${digits} hexadecimal digits`,
    })
    .refine((value) => value === '' || !/^0+$/.test(value), {
      error: `invalid ${name}: all zeros is not a valid id`,
    })
    .transform((value) => (value === '' ? undefined : value.toLowerCase()))
    .optional();
}

const attributesField = z
  .record(z.string(), plainValue)
  .refine((value) => Object.keys(value).length <= MAX_LOG_ATTRIBUTES, {
    error: `too many keys: the limit is ${MAX_LOG_ATTRIBUTES} per record`,
  });

/** One log record as our JSON API accepts it. */
export const logInputSchema = z
  .strictObject(
    {
      id: z.string().min(1).max(512).optional(),
      service: z.string().trim().min(1).max(256).optional(),
      timestamp: timestampField.optional(),
      time_unix_nano: unixNanoField.optional(),
      level: levelField.optional(),
      severity_number: z.number().int().min(0).max(24).optional(),
      severity_text: z.string().max(64).optional(),
      message: z.string().optional(),
      body: plainValue.optional(),
      trace_id: optionalHexId('trace_id', 32),
      span_id: optionalHexId('span_id', 16),
      attributes: attributesField.optional(),
      resource: attributesField.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field(s) ${issue.keys.join(', ')}; put custom ` +
            'fields under attributes'
          : undefined,
    },
  )
  .superRefine(checkCombinations);

export type LogInput = z.output<typeof logInputSchema>;

function checkCombinations(input: LogInputShape, ctx: z.RefinementCtx) {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });

  if (input.timestamp !== undefined && input.time_unix_nano !== undefined) {
    problem('timestamp', 'send timestamp or time_unix_nano, not both');
  }
  if (input.message !== undefined && input.body !== undefined) {
    problem('body', 'send message or body, not both');
  }
  if (input.message === undefined && input.body === undefined) {
    problem('message', 'missing: send the log text as message');
  }
  if (serviceOf(input) === undefined) {
    problem(
      'service',
      'missing: send service, or resource["service.name"] as a string',
    );
  }
  if (input.span_id && !input.trace_id) {
    problem('trace_id', 'missing: a span_id needs its trace_id');
  }
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
