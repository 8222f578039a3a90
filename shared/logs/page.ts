import { toJson } from '#shared/http/json.js';
import type { LogRecord } from '#shared/model/log.js';
import type { Page } from '#shared/store/ports.js';
import { encodeLogCursor } from './cursor.js';
import { type ApiLog, apiLogOf } from './view.js';

/**
 * Maximum JSON size of the logs in one response, in bytes. Lambda
 * serializes its result object, so every quote and backslash of the body
 * is escaped once more. Even a body made only of those at most doubles,
 * to 5 MiB, which stays below the 6 MB a synchronous Lambda may return.
 */
export const MAX_LOG_RESPONSE_BYTES = 2.5 * 1024 * 1024;

/** One page of a log list as the API returns it. */
export interface LogListBody {
  logs: ApiLog[];
  next_cursor?: string;
}

/**
 * Returns how many logs from the start fit in `maxBytes` of JSON. The
 * first always counts, so a page is never empty and paging always moves.
 */
export function countFitting(logs: ApiLog[], maxBytes: number): number {
  let bytes = 0;
  for (const [index, log] of logs.entries()) {
    bytes += Buffer.byteLength(toJson(log), 'utf8') + 1;
    if (bytes > maxBytes && index > 0) return index;
  }
  return logs.length;
}

/**
 * Shapes a store page for the API. When the records exceed
 * {@link MAX_LOG_RESPONSE_BYTES}, the page ends early and `next_cursor`
 * points after its last record, so the client pages on without a gap.
 */
export function logListBody(
  page: Page<LogRecord>,
  maxBytes = MAX_LOG_RESPONSE_BYTES,
): LogListBody {
  const logs = page.items.map(apiLogOf);
  // NOTE: one record above the limit (a 256 KiB message plus two full
  // attribute maps of 256 values of 8 KiB) is still sent alone, and its
  // response may exceed Lambda's 6 MB.
  const fitting = countFitting(logs, maxBytes);
  const last = page.items[fitting - 1];
  if (fitting < logs.length && last) {
    return { logs: logs.slice(0, fitting), next_cursor: encodeLogCursor(last) };
  }

  const body: LogListBody = { logs };
  if (page.next_cursor) body.next_cursor = page.next_cursor;
  return body;
}
