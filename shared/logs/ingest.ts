import type { Deps } from '#shared/deps.js';
import { type ErrorDetail, ValidationError } from '#shared/errors.js';
import { zodDetails } from '#shared/http/zod-details.js';
import { MAX_LOG_MESSAGE_BYTES } from '#shared/limits.js';
import type { LogRecord } from '#shared/model/log.js';
import type { IngestReport, Rejection } from '#shared/model/report.js';
import { type IngestWindow, outsideWindow } from '#shared/model/time.js';
import { serviceNameProblem } from '#shared/traces/caps.js';
import { capLogAttributes, tooManyAttributes } from './caps.js';
import { logRecordFromInput } from './record.js';
import { logInputSchema } from './schema.js';

export { MAX_LOG_MESSAGE_BYTES } from '#shared/limits.js';
export { logIdOf } from './log-id.js';

const NANOS_PER_MS = 1_000_000n;

/**
 * Checks the rules every log record must meet, whatever its source: a time
 * inside the ingest window, a message within the size cap, a service name
 * within its cap, and no more attribute keys than MAX_LOG_ATTRIBUTES, none
 * longer than MAX_ATTRIBUTE_KEY_BYTES. Returns the reason it fails, or
 * undefined.
 */
export function checkLogRecord(
  record: LogRecord,
  window: IngestWindow,
): string | undefined {
  const ms = Number(record.time_unix_nano / NANOS_PER_MS);
  const late = outsideWindow(ms, window);
  if (late) return late;

  const bytes = Buffer.byteLength(record.message, 'utf8');
  if (bytes > MAX_LOG_MESSAGE_BYTES) {
    return (
      `message of ${bytes} bytes exceeds the limit of ` +
      `${MAX_LOG_MESSAGE_BYTES} bytes; split the record`
    );
  }
  return serviceNameProblem(record.service) ?? tooManyAttributes(record);
}

function windowOf(deps: Deps): IngestWindow {
  return {
    clock: deps.clock,
    maxAgeMs: deps.config.ingestMaxAgeMs,
    maxFutureMs: deps.config.ingestMaxFutureMs,
  };
}

/**
 * Stores log records already mapped to the domain model (from our JSON API,
 * OTLP or a log stream). Each record is checked on its own, and rejections
 * are reported by index into `records` and logged. String attribute values
 * above the size cap are shortened with a visible mark. A record stored
 * before, or earlier in the same batch, counts as accepted and is stored
 * once.
 */
export async function ingestLogRecords(
  deps: Deps,
  records: LogRecord[],
): Promise<IngestReport> {
  const window = windowOf(deps);
  const rejected: Rejection[] = [];
  const valid: LogRecord[] = [];
  const validIndexes: number[] = [];
  for (const [index, record] of records.entries()) {
    const reason = checkLogRecord(record, window);
    if (reason) rejected.push({ index, reason });
    else {
      valid.push(capLogAttributes(record));
      validIndexes.push(index);
    }
  }

  const stored = await writeRecords(deps, valid, validIndexes);
  rejected.push(...stored.rejected);
  rejected.sort((a, b) => a.index - b.index);
  logRejections(deps, rejected);
  return { accepted: records.length - rejected.length, rejected };
}

async function writeRecords(
  deps: Deps,
  records: LogRecord[],
  indexes: number[],
): Promise<{ rejected: Rejection[] }> {
  if (records.length === 0) return { rejected: [] };
  const result = await deps.stores.logs.write(records);
  const rejected = result.rejected.map((item) => ({
    index: indexes[item.index] ?? item.index,
    reason: item.reason,
  }));
  return { rejected };
}

function logRejections(deps: Deps, rejected: Rejection[]): void {
  if (rejected.length === 0) return;
  deps.logger.warn('log records rejected', {
    rejected_count: rejected.length,
    first_rejections: rejected.slice(0, 5),
  });
}

type ParsedLog =
  | { record: LogRecord }
  | { reason: string; details: ErrorDetail[] };

/** Validates one item of our JSON API, returning a record or the reason. */
export function parseLogInput(item: unknown, nowMs: number): ParsedLog {
  const parsed = logInputSchema.safeParse(item);
  if (parsed.success) {
    return { record: logRecordFromInput(parsed.data, nowMs) };
  }
  const details = zodDetails(parsed.error);
  const reason = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return { reason, details };
}

/**
 * Ingests the items of a batch request. Items that fail validation are
 * rejected by their index in `items`; the rest go to {@link
 * ingestLogRecords}, and its rejections are mapped back to `items`.
 */
export async function ingestLogItems(
  deps: Deps,
  items: unknown[],
): Promise<IngestReport> {
  const nowMs = deps.clock.now();
  const rejected: Rejection[] = [];
  const records: LogRecord[] = [];
  const indexes: number[] = [];
  for (const [index, item] of items.entries()) {
    const result = parseLogInput(item, nowMs);
    if ('reason' in result) rejected.push({ index, reason: result.reason });
    else {
      records.push(result.record);
      indexes.push(index);
    }
  }

  logRejections(deps, rejected);

  const report = await ingestLogRecords(deps, records);
  for (const item of report.rejected) {
    const index = indexes[item.index] ?? item.index;
    rejected.push({ index, reason: item.reason });
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: report.accepted, rejected };
}

/**
 * Builds the 400 for an array sent to the single-record route, which
 * takes one record object.
 */
function arrayBodyError(): ValidationError {
  const message =
    'expected one log record object, received an array; send one record, ' +
    'or send several to /api/observatory/logs/ingest/batch as ' +
    '{"logs": [...]}';
  return new ValidationError(`invalid log record: ${message}`, [
    { path: '(root)', message },
  ]);
}

/**
 * Ingests a single record of our JSON API. Raises a 400 naming the field
 * when it is invalid, and returns the id it is stored under.
 */
export async function ingestOneLog(
  deps: Deps,
  item: unknown,
): Promise<{ log_id: string }> {
  if (Array.isArray(item)) throw arrayBodyError();
  const result = parseLogInput(item, deps.clock.now());
  if ('reason' in result) {
    throw new ValidationError(
      `invalid log record: ${result.reason}`,
      result.details,
    );
  }
  const report = await ingestLogRecords(deps, [result.record]);
  const rejection = report.rejected[0];
  if (rejection) {
    throw new ValidationError(`log record rejected: ${rejection.reason}`, [
      { path: 'body', message: rejection.reason },
    ]);
  }
  return { log_id: result.record.log_id };
}
