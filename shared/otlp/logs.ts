import { textFromAnyValue } from '../model/attributes.js';
import { type LogRecord, levelFromSeverity } from '../model/log.js';
import { readAnyValue, readAttributes } from './any-value.js';
import {
  emptyBatch,
  type MappedBatch,
  mapInto,
  type ScopeContext,
  scopedItems,
} from './batch.js';
import {
  FieldError,
  readInt32,
  readObject,
  readString,
  readUint64,
} from './fields.js';
import { readOptionalSpanId, readOptionalTraceId } from './ids.js';

/** A mapped log record before its id, which the logs domain derives. */
export type UnidentifiedLogRecord = Omit<LogRecord, 'log_id'>;

const LAYOUT = {
  resourceKey: 'resourceLogs',
  scopeKey: 'scopeLogs',
  itemKey: 'logRecords',
};

function readSeverityNumber(value: unknown, path: string): number {
  const number = readInt32(value, path);
  if (number < 0 || number > 24) {
    throw new FieldError(
      path,
      `invalid value ${number}: expected 0 (unspecified) or 1 to 24`,
    );
  }
  return number;
}

/**
 * Reads the two times of a record. The OTLP log data model specifies the
 * observed time for an unknown event time (0); a record without either
 * was observed by us, at `receivedNano`.
 */
function readTimes(
  record: Record<string, unknown>,
  path: string,
  receivedNano: bigint,
) {
  const time = readUint64(record.timeUnixNano, `${path}.timeUnixNano`);
  const observed = readUint64(
    record.observedTimeUnixNano,
    `${path}.observedTimeUnixNano`,
  );
  const observedTime = observed === 0n ? receivedNano : observed;
  return {
    time_unix_nano: time === 0n ? observedTime : time,
    observed_time_unix_nano: observedTime,
  };
}

/**
 * Maps one OTLP log record. The severity text is kept as sent and the level
 * is derived from number and text. NOTE: `eventName` and trace flags are
 * not kept, because the log model has no field for them.
 */
export function mapLogRecord(
  value: unknown,
  path: string,
  context: ScopeContext,
  receivedNano: bigint,
): UnidentifiedLogRecord {
  const record = readObject(value, path);
  const at = (field: string) => `${path}.${field}`;
  const severityNumber = readSeverityNumber(
    record.severityNumber,
    at('severityNumber'),
  );
  const severityText = readString(record.severityText, at('severityText'));
  const body = readAnyValue(record.body, at('body'));
  return {
    service: context.service,
    ...readTimes(record, path, receivedNano),
    severity_number: severityNumber,
    severity_text: severityText,
    level: levelFromSeverity(severityNumber, severityText),
    body,
    message: textFromAnyValue(body),
    trace_id: readOptionalTraceId(record.traceId, at('traceId')),
    span_id: readOptionalSpanId(record.spanId, at('spanId')),
    attributes: readAttributes(record.attributes, at('attributes')),
    resource: context.resource,
    scope: context.scope,
  };
}

/**
 * Maps an ExportLogsServiceRequest in its JSON shape into log records.
 * `receivedNano` is the receive time, used when a record has no time.
 */
export function mapLogsRequest(
  body: unknown,
  receivedNano: bigint,
): MappedBatch<UnidentifiedLogRecord> {
  const batch = emptyBatch<UnidentifiedLogRecord>();
  for (const entry of scopedItems(body, LAYOUT)) {
    mapInto(batch, entry, (value, path, context) =>
      mapLogRecord(value, path, context, receivedNano),
    );
  }
  return batch;
}
