import { z } from 'zod';

const HEX = /^[0-9a-fA-F]+$/;

function hexId(name: string, digits: number) {
  return z
    .string()
    .superRefine((value, ctx) => {
      if (value.length !== digits || !HEX.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `invalid ${name} ${JSON.stringify(value.slice(0, 64))}: ` +
            `expected ${digits} hexadecimal digits`,
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
  .min(1, 'expected a non-empty service name')
  .max(256, 'expected at most 256 characters')
  .refine((value) => !/\p{Cc}/u.test(value), {
    message: 'invalid service name: control characters are not allowed',
  });
