import type { AnyValue, Attributes } from './attributes.js';
import type { InstrumentationScope } from './span.js';

export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
] as const;
export type KnownLevel = (typeof LOG_LEVELS)[number];
/** UNSPECIFIED when neither severity number nor text names a level. */
export type LogLevel = KnownLevel | 'UNSPECIFIED';

/** One stored log record. */
export interface LogRecord {
  /** The source's id where one exists, else a hash of the record. */
  log_id: string;
  service: string;
  time_unix_nano: bigint;
  observed_time_unix_nano: bigint;
  severity_number: number;
  /** The severity text exactly as sent. */
  severity_text: string;
  level: LogLevel;
  body: AnyValue;
  /** The body as text, which log search matches against. */
  message: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
}

const TEXT_LEVELS: Record<string, KnownLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  information: 'INFO',
  notice: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  error: 'ERROR',
  err: 'ERROR',
  fatal: 'FATAL',
  critical: 'FATAL',
  crit: 'FATAL',
  panic: 'FATAL',
  emergency: 'FATAL',
  alert: 'FATAL',
};

/**
 * Normalizes OTLP severity to a level. Severity numbers 1-4 are TRACE, 5-8
 * DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR and 21-24 FATAL, as the OTLP
 * log data model defines. Only when the number is 0 (unspecified) is the
 * text read, because SDKs put arbitrary strings such as "400" there.
 */
export function levelFromSeverity(number: number, text: string): LogLevel {
  if (number >= 1 && number <= 24) {
    return LOG_LEVELS[Math.floor((number - 1) / 4)] ?? 'UNSPECIFIED';
  }
  return TEXT_LEVELS[text.trim().toLowerCase()] ?? 'UNSPECIFIED';
}

/** The lowest severity number of a level, for OTLP output and ranges. */
export function severityNumberOf(level: LogLevel): number {
  const index = LOG_LEVELS.indexOf(level as KnownLevel);
  return index < 0 ? 0 : index * 4 + 1;
}

/** Rank for "level at least" filters; UNSPECIFIED ranks below TRACE. */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level as KnownLevel);
}

export interface LogQuery {
  /** Log search syntax: words, "phrases" and -excluded words. */
  text?: string;
  service?: string;
  min_level?: KnownLevel;
  /** Highest normalized level; UNSPECIFIED records never match a level. */
  max_level?: KnownLevel;
  /** Equality filters on record or resource attributes, as text. */
  attributes?: Record<string, string>;
  /** Inclusive range, in epoch milliseconds. */
  start_ms: number;
  end_ms: number;
  trace_id?: string;
  limit: number;
  cursor?: string;
}
