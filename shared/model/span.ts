import type { Attributes } from './attributes.js';

export const SPAN_KINDS = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export const STATUS_CODES = ['unset', 'ok', 'error'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: Attributes;
}

export interface SpanEvent {
  time_unix_nano: bigint;
  name: string;
  attributes: Attributes;
  dropped_attributes_count: number;
}

export interface SpanLink {
  trace_id: string;
  span_id: string;
  trace_state: string;
  attributes: Attributes;
  dropped_attributes_count: number;
}

/** One stored span, identified by trace id and span id. */
export interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  trace_state: string;
  service: string;
  name: string;
  kind: SpanKind;
  start_time_unix_nano: bigint;
  end_time_unix_nano: bigint;
  /** Zero when the span has clock skew or no end time. */
  duration_nano: bigint;
  /** The end time lies before the start time; raw times are kept. */
  clock_skew: boolean;
  /** The span has no end time. */
  incomplete: boolean;
  status: { code: StatusCode; message: string };
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
  events: SpanEvent[];
  links: SpanLink[];
  dropped_attributes_count: number;
  dropped_events_count: number;
  dropped_links_count: number;
}

export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * Derives a span's duration from its raw times. An end before the start is
 * clock skew and an end of zero is an incomplete span: both get a duration
 * of zero, never a negative or wrapped one.
 */
export function spanTiming(
  start: bigint,
  end: bigint,
): Pick<Span, 'duration_nano' | 'clock_skew' | 'incomplete'> {
  if (end === 0n) {
    return { duration_nano: 0n, clock_skew: false, incomplete: true };
  }
  if (end < start) {
    return { duration_nano: 0n, clock_skew: true, incomplete: false };
  }
  return { duration_nano: end - start, clock_skew: false, incomplete: false };
}

/** One trace in a list: its root, extent and error count. */
export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_time_unix_nano: bigint;
  duration_nano: bigint;
  span_count: number;
  error_count: number;
  services: string[];
}
