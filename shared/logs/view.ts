import {
  type PlainValue,
  plainFromAttributes,
} from '#shared/model/attributes.js';
import type { LogLevel, LogRecord } from '#shared/model/log.js';
import { isoFromMs } from '#shared/model/time.js';

/** A log record as our JSON API returns it. */
export interface ApiLog {
  log_id: string;
  /** ISO 8601 with milliseconds, UTC. */
  timestamp: string;
  /** Exact epoch nanoseconds as a decimal string. */
  time_unix_nano: string;
  service: string;
  level: LogLevel;
  severity_number: number;
  severity_text: string;
  message: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, PlainValue>;
  resource: Record<string, PlainValue>;
}

const NANOS_PER_MS = 1_000_000n;

/** Converts a stored record to the API form, with exact big integers. */
export function apiLogOf(record: LogRecord): ApiLog {
  return {
    log_id: record.log_id,
    timestamp: isoFromMs(Number(record.time_unix_nano / NANOS_PER_MS)),
    time_unix_nano: record.time_unix_nano.toString(),
    service: record.service,
    level: record.level,
    severity_number: record.severity_number,
    severity_text: record.severity_text,
    message: record.message,
    trace_id: record.trace_id,
    span_id: record.span_id,
    attributes: plainFromAttributes(record.attributes),
    resource: plainFromAttributes(record.resource),
  };
}
