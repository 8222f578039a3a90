import { spanIdSchema, traceIdSchema } from '../model/ids.js';
import { FieldError, readString } from './fields.js';

const HINT = '; OTLP/JSON sends ids as hex, not base64';

function readId(
  value: unknown,
  path: string,
  schema: typeof traceIdSchema,
): string {
  const text = readString(value, path);
  const result = schema.safeParse(text);
  if (result.success) return result.data;

  const message = result.error.issues[0]?.message ?? 'invalid id';
  const wrongForm = !/^[0-9a-fA-F]*$/.test(text) || /=$/.test(text);
  throw new FieldError(path, wrongForm ? `${message}${HINT}` : message);
}

/**
 * Reads a required trace id: 32 hex digits in any case, not all zero,
 * returned in lower case. Base64 text is rejected, never decoded, so an
 * id is stored under one spelling only.
 */
export function readTraceId(value: unknown, path: string): string {
  return readId(value, path, traceIdSchema);
}

/** Reads a required span id: 16 hex digits, returned in lower case. */
export function readSpanId(value: unknown, path: string): string {
  return readId(value, path, spanIdSchema);
}

/** Reads an optional trace id; absent or empty is null. */
export function readOptionalTraceId(
  value: unknown,
  path: string,
): string | null {
  return readString(value, path) === '' ? null : readTraceId(value, path);
}

/** Reads an optional span id, such as a root span's parent; empty is null. */
export function readOptionalSpanId(
  value: unknown,
  path: string,
): string | null {
  return readString(value, path) === '' ? null : readSpanId(value, path);
}
