import { type Span, spanTiming } from '#shared/model/span.js';

/** Nanoseconds per millisecond, for building span times in tests. */
export const MS = 1_000_000n;

/**
 * Builds a domain span with plain defaults; `overrides` set any field.
 * Duration, skew and incomplete flags follow the final times.
 */
export function makeSpan(overrides: Partial<Span> = {}): Span {
  const start = overrides.start_time_unix_nano ?? 1_000n * MS;
  const end = overrides.end_time_unix_nano ?? start + 10n * MS;
  return {
    trace_id: 'a'.repeat(32),
    span_id: '1'.repeat(16),
    parent_span_id: null,
    trace_state: '',
    service: 'svc-a',
    name: 'GET /',
    kind: 'server',
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: {},
    scope: { name: '', version: '', attributes: {} },
    events: [],
    links: [],
    dropped_attributes_count: 0,
    dropped_events_count: 0,
    dropped_links_count: 0,
    ...overrides,
    start_time_unix_nano: start,
    end_time_unix_nano: end,
    ...spanTiming(start, end),
  };
}
