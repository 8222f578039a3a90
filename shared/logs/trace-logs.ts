import { ValidationError } from '#shared/errors.js';
import { normalizeTraceId } from '#shared/model/ids.js';
import type { LogStore } from '#shared/store/ports.js';
import { countFitting, MAX_LOG_RESPONSE_BYTES } from './page.js';
import { type ApiLog, apiLogOf } from './view.js';

/**
 * Maximum logs returned for one trace. More, or more than
 * MAX_LOG_RESPONSE_BYTES of them, set `truncated`.
 */
export const MAX_TRACE_LOGS = 10_000;

export interface TraceLogs {
  trace_id: string;
  logs: ApiLog[];
  truncated: boolean;
}

/**
 * Lists the logs of a trace, oldest first. Raises a 400 when `traceId` is
 * not 32 hex digits; a shorter id is never matched as a suffix.
 */
export async function listTraceLogs(
  store: LogStore,
  traceId: string,
): Promise<TraceLogs> {
  const id = normalizeTraceId(traceId);
  if (!id) {
    throw new ValidationError(
      `invalid trace_id ${JSON.stringify(traceId.slice(0, 64))}: expected ` +
        '32 hexadecimal digits, not all zero',
      [{ path: 'trace_id', message: 'expected 32 hexadecimal digits' }],
    );
  }
  const records = await store.getTraceLogs(id, MAX_TRACE_LOGS + 1);
  const logs = records.slice(0, MAX_TRACE_LOGS).map(apiLogOf);
  const fitting = countFitting(logs, MAX_LOG_RESPONSE_BYTES);
  return {
    trace_id: id,
    logs: logs.slice(0, fitting),
    truncated: records.length > logs.length || fitting < logs.length,
  };
}
