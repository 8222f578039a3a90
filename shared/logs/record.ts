import {
  type AnyValue,
  anyValueFromPlain,
  attributesFromPlain,
  textFromAnyValue,
} from '#shared/model/attributes.js';
import {
  type KnownLevel,
  type LogLevel,
  type LogRecord,
  levelFromSeverity,
  severityNumberOf,
} from '#shared/model/log.js';
import { logIdOf } from './log-id.js';
import { type LogInput, serviceOf } from './schema.js';

const NANOS_PER_MS = 1_000_000n;

interface Severity {
  level: LogLevel;
  severity_number: number;
  severity_text: string;
}

/**
 * Resolves severity. `level` names the level directly and wins; without it
 * the OTLP severity number and text are normalized. The text is kept as
 * sent, and a bare `level` is kept as the text too.
 */
export function severityOf(input: LogInput): Severity {
  if (input.level !== undefined) {
    const level = input.level.toUpperCase() as KnownLevel;
    return {
      level,
      severity_number: input.severity_number ?? severityNumberOf(level),
      severity_text: input.severity_text ?? input.level,
    };
  }
  const number = input.severity_number ?? 0;
  const text = input.severity_text ?? '';
  return {
    level: levelFromSeverity(number, text),
    severity_number: number,
    severity_text: text,
  };
}

function bodyOf(input: LogInput): AnyValue {
  if (input.message !== undefined) return { stringValue: input.message };
  return anyValueFromPlain(input.body ?? null);
}

/**
 * Maps a validated API record to the stored form. `nowMs` is the observed
 * time, and the record's time when it sends none.
 */
export function logRecordFromInput(input: LogInput, nowMs: number): LogRecord {
  const observed = BigInt(nowMs) * NANOS_PER_MS;
  const body = bodyOf(input);
  const fields = {
    service: serviceOf(input) ?? '',
    time_unix_nano: input.time_unix_nano ?? input.timestamp ?? observed,
    body,
    trace_id: input.trace_id ?? null,
    span_id: input.span_id ?? null,
  };
  const severity = severityOf(input);
  // Spelled out rather than spread: under Node 20, spreading `fields` and
  // the severity here cost more CPU than the whole schema check.
  return {
    service: fields.service,
    time_unix_nano: fields.time_unix_nano,
    body,
    trace_id: fields.trace_id,
    span_id: fields.span_id,
    level: severity.level,
    severity_number: severity.severity_number,
    severity_text: severity.severity_text,
    log_id: logIdOf(fields, input.id),
    observed_time_unix_nano: observed,
    message: textFromAnyValue(body),
    attributes: attributesFromPlain(input.attributes ?? {}),
    resource: attributesFromPlain(input.resource ?? {}),
    scope: { name: '', version: '', attributes: {} },
  };
}
