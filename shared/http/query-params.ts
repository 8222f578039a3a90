import { z } from 'zod';

/**
 * Builds the schema of a `limit` query parameter: text holding a whole
 * number from 1 to `max`, read as a number. Anything else is a 400 that
 * names the value and the range.
 */
export function limitParam(max: number) {
  return z
    .string()
    .refine(
      (text) =>
        /^\d{1,7}$/.test(text) && Number(text) >= 1 && Number(text) <= max,
      {
        error: (issue) =>
          `invalid limit ${JSON.stringify(issue.input)}: expected a whole ` +
          `number from 1 to ${max}`,
      },
    )
    .transform(Number);
}
