/** Position of the last record of the previous page of a log search. */
export interface LogCursor {
  time_unix_nano: bigint;
  log_id: string;
}

/**
 * Encodes a keyset cursor on (time, log id). Clients treat it as opaque;
 * it is base64url of a JSON pair so any log store can read it.
 */
export function encodeLogCursor(cursor: LogCursor): string {
  const pair = [cursor.time_unix_nano.toString(), cursor.log_id];
  return Buffer.from(JSON.stringify(pair), 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodeLogCursor}, or undefined if invalid. */
export function decodeLogCursor(text: string): LogCursor | undefined {
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;

  const [time, logId] = pair;
  if (typeof time !== 'string' || !/^\d{1,19}$/.test(time)) return undefined;
  if (typeof logId !== 'string' || logId === '') return undefined;
  return { time_unix_nano: BigInt(time), log_id: logId };
}
