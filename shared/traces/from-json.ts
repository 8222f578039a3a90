import type { z } from 'zod';
import { zodDetails } from '../http/zod-details.js';
import { attributesFromPlain, stringAttribute } from '../model/attributes.js';
import type { Span, SpanEvent } from '../model/span.js';
import { spanTiming, UNKNOWN_SERVICE } from '../model/span.js';
import { type JsonSpan, jsonSpanSchema } from './schema.js';

/** A JSON span read into a domain span, or the reason it could not be. */
export type SpanReading = { span: Span } | { reason: string };

function describeIssues(error: z.ZodError): string {
  return zodDetails(error)
    .map((detail) => `${detail.path}: ${detail.message}`)
    .join('; ');
}

/** Picks one of two alternative time fields, naming both when both came. */
function pickTime(
  json: JsonSpan,
  which: 'start' | 'end',
): bigint | undefined | string {
  const fromTime = json[`${which}_time`];
  const fromNanos = json[`${which}_time_unix_nano`];
  if (fromTime !== undefined && fromNanos !== undefined) {
    return (
      `${which}_time and ${which}_time_unix_nano are both set; ` +
      'send only one of them'
    );
  }
  return fromTime ?? fromNanos;
}

function toEvents(json: JsonSpan): SpanEvent[] | string {
  const events: SpanEvent[] = [];
  for (const [index, event] of json.events.entries()) {
    const time = event.time_unix_nano ?? event.time;
    if (time === undefined) {
      return `events[${index}].time: missing; send time or time_unix_nano`;
    }
    events.push({
      time_unix_nano: time,
      name: event.name,
      attributes: attributesFromPlain(event.attributes),
      dropped_attributes_count: 0,
    });
  }
  return events;
}

function traceIdOf(
  json: JsonSpan,
  requestTraceId?: string,
): { traceId: string } | { reason: string } {
  if (json.trace_id && requestTraceId && json.trace_id !== requestTraceId) {
    return {
      reason:
        `trace_id ${json.trace_id} differs from the request's trace_id ` +
        `${requestTraceId}; send spans of several traces to ` +
        '/api/observatory/traces/spans/ingest',
    };
  }
  const traceId = json.trace_id ?? requestTraceId;
  if (traceId) return { traceId };
  return { reason: 'trace_id: missing; send 32 hexadecimal digits' };
}

/** Builds the domain span once every field has been checked. */
function toSpan(
  json: JsonSpan,
  ids: { trace_id: string },
  times: { start: bigint; end: bigint },
  events: SpanEvent[],
): Span {
  const resource = attributesFromPlain(json.resource);
  const service =
    json.service ??
    stringAttribute(resource, 'service.name') ??
    UNKNOWN_SERVICE;
  return {
    trace_id: ids.trace_id,
    span_id: json.span_id,
    parent_span_id: json.parent_span_id,
    trace_state: json.trace_state,
    service,
    name: json.name,
    kind: json.kind,
    start_time_unix_nano: times.start,
    end_time_unix_nano: times.end,
    ...spanTiming(times.start, times.end),
    status: json.status,
    attributes: attributesFromPlain(json.attributes),
    resource,
    scope: {
      name: json.scope?.name ?? '',
      version: json.scope?.version ?? '',
      attributes: attributesFromPlain(json.scope?.attributes ?? {}),
    },
    events,
    links: json.links.map((link) => ({
      ...link,
      attributes: attributesFromPlain(link.attributes),
      dropped_attributes_count: 0,
    })),
    dropped_attributes_count: 0,
    dropped_events_count: 0,
    dropped_links_count: 0,
  };
}

/**
 * Reads one span of our JSON API. `requestTraceId` is the trace id of a
 * `/traces/ingest` request, which its spans may omit. A missing end time
 * reads as 0, which marks the span incomplete.
 */
export function readJsonSpan(
  raw: unknown,
  requestTraceId?: string,
): SpanReading {
  const parsed = jsonSpanSchema.safeParse(raw);
  if (!parsed.success) return { reason: describeIssues(parsed.error) };
  const json = parsed.data;

  const trace = traceIdOf(json, requestTraceId);
  if ('reason' in trace) return trace;

  const start = pickTime(json, 'start');
  if (typeof start === 'string') return { reason: start };
  if (start === undefined) {
    return {
      reason: 'start_time: missing; send start_time or start_time_unix_nano',
    };
  }
  const end = pickTime(json, 'end') ?? 0n;
  if (typeof end === 'string') return { reason: end };

  const events = toEvents(json);
  if (typeof events === 'string') return { reason: events };

  const times = { start, end };
  return { span: toSpan(json, { trace_id: trace.traceId }, times, events) };
}
