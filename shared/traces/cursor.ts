import { ValidationError } from '../errors.js';
import { normalizeTraceId } from '../model/ids.js';

/** Where a page of traces ended: the last trace's start and id. */
export interface TraceCursor {
  start_time_unix_nano: bigint;
  trace_id: string;
}

/** Encodes a keyset position as an opaque URL-safe token. */
export function encodeTraceCursor(cursor: TraceCursor): string {
  const text = `${cursor.start_time_unix_nano}:${cursor.trace_id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

function invalidCursor(): ValidationError {
  return new ValidationError(
    'invalid query: cursor: not a cursor this API issued; pass next_cursor ' +
      'from the previous page unchanged',
    [{ path: 'cursor', message: 'invalid cursor' }],
  );
}

/** Decodes a token from {@link encodeTraceCursor}, raising a 400 if foreign. */
export function decodeTraceCursor(token: string): TraceCursor {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^(\d{1,19}):([0-9a-f]{32})$/.exec(text);
  const traceId = match?.[2] ? normalizeTraceId(match[2]) : undefined;
  if (!match?.[1] || !traceId) throw invalidCursor();
  return { start_time_unix_nano: BigInt(match[1]), trace_id: traceId };
}
