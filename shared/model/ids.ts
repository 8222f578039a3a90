import { z } from 'zod';
import { jsonTypeName } from '../http/zod-details.js';
import { MAX_SERVICE_NAME_LENGTH } from '../limits.js';

const HEX = /^[0-9a-fA-F]+$/;

function hexId(name: string, digits: number) {
  const expected = `expected ${digits} hexadecimal digits, not all zero`;
  return z
    .string({
      error: (issue) =>
        `invalid ${name}: expected a string of ${digits} hexadecimal ` +
        `digits, received ${jsonTypeName(issue.input)}; send the id in quotes`,
    })
    .superRefine((value, ctx) => {
      if (value.length !== digits || !HEX.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `invalid ${name} ${JSON.stringify(value.slice(0, 64))}: ` +
            expected,
        });
      } else if (/^0+$/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid ${name}: all zeros is not a valid id`,
        });
      }
    })
    .transform((value) => value.toLowerCase());
}

/** A W3C trace id: 32 hex digits, not all zero, stored in lower case. */
export const traceIdSchema = hexId('trace id', 32);

/** A span id: 16 hex digits, not all zero, stored in lower case. */
export const spanIdSchema = hexId('span id', 16);

/** Checks a trace id without zod, returning the lower-case id or undefined. */
export function normalizeTraceId(value: string): string | undefined {
  const result = traceIdSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

export function normalizeSpanId(value: string): string | undefined {
  const result = spanIdSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * A service name as our JSON API accepts it: 1-256 characters after
 * trimming, without control characters, since it is shown in lists and
 * used as a path segment.
 */
export const serviceNameSchema = z
  .string()
  .trim()
  .min(1, 'is empty; send a non-empty service name')
  .max(MAX_SERVICE_NAME_LENGTH, {
    error: (issue) =>
      `too long: ${String(issue.input).length} characters, above the ` +
      `limit of ${MAX_SERVICE_NAME_LENGTH}; shorten the service name`,
  })
  .refine((value) => !/\p{Cc}/u.test(value), {
    message: 'invalid service name: control characters are not allowed',
  });
