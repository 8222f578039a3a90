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

/** One detail per zod issue, each naming its field. */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
}
