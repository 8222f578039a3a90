import type { LogRecord } from '../model/log.js';
import type { MetricPoint } from '../model/metric.js';
import type { Span } from '../model/span.js';
import type { OtlpSignal } from '../otlp/protobuf.js';

/** An item decoded from a record, with where it sits in the record. */
export interface Labeled<T> {
  item: T;
  /** Names the item in reasons, such as `document 1, logEvents[2]`. */
  label: string;
}

/** The items decoded from one stream record, and the parts not read. */
export interface DecodedRecord {
  spans: Labeled<Span>[];
  logs: Labeled<LogRecord>[];
  points: Labeled<MetricPoint>[];
  /**
   * Parts of the record that can never be stored, each with its reason:
   * unreadable bytes, documents of no known format, invalid items.
   */
  problems: string[];
  /** CloudWatch Logs control messages, skipped on purpose. */
  controlMessages: number;
  /** Size of the data after gzip decompression, in bytes. */
  decodedBytes: number;
}

/** The settings and facts that decoding a record uses besides its bytes. */
export interface DecodeContext {
  /**
   * When the record reached the stream, in epoch milliseconds. Items that
   * carry no time of their own get it, so a redelivered record yields the
   * same items and stores nothing twice.
   */
  receivedMs: number;
  /** Service name per CloudWatch Logs group, from configuration. */
  logGroupServices: Record<string, string>;
  /**
   * The OTLP signal the sender declared for the record, which skips the
   * guessing of protobuf data. Undefined when none was declared.
   */
  signal?: OtlpSignal;
}

export function emptyDecodedRecord(): DecodedRecord {
  return {
    spans: [],
    logs: [],
    points: [],
    problems: [],
    controlMessages: 0,
    decodedBytes: 0,
  };
}

/** Counts the spans, log records and metric points of a decoded record. */
export function itemCount(record: DecodedRecord): number {
  return record.spans.length + record.logs.length + record.points.length;
}
