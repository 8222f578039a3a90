import type { z } from 'zod';
import type { ErrorDetail } from '../errors.js';

/** Formats a zod path such as `['points', 3, 'value']` as `points[3].value`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text || '(root)';
}

/** Names the JSON type of a value, for "received ..." in messages. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Shows a string (quoted, cut to 64 characters) or a number as it was
 * sent, and names the type of any other value, so a message never echoes
 * a large input.
 */
export function describeInput(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.slice(0, 64));
  if (typeof input === 'number' || typeof input === 'bigint') {
    return String(input);
  }
  return jsonTypeName(input);
}

/** One detail per zod issue, each naming its field. */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
}

/**
 * Builds the error map of a strict query-string schema, so a misspelt
 * parameter is rejected by name and the reply lists the accepted ones.
 */
export function unknownParamError(names: readonly string[]) {
  return (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown query parameter(s) ${issue.keys.join(', ')}; ` +
        `expected ${names.join(', ')}`
      : undefined;
}
