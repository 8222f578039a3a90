import {
  SPAN_KINDS,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  STATUS_CODES,
  type StatusCode,
  spanTiming,
} from '../model/span.js';
import { readAttributes } from './any-value.js';
import {
  emptyBatch,
  type MappedBatch,
  mapInto,
  type ScopeContext,
  scopedItems,
} from './batch.js';
import {
  FieldError,
  readArray,
  readEnum,
  readObject,
  readString,
  readUint32,
  readUint64,
} from './fields.js';
import { readOptionalSpanId, readSpanId, readTraceId } from './ids.js';

const LAYOUT = {
  resourceKey: 'resourceSpans',
  scopeKey: 'scopeSpans',
  itemKey: 'spans',
};

function readEvent(value: unknown, path: string): SpanEvent {
  const event = readObject(value, path);
  return {
    time_unix_nano: readUint64(event.timeUnixNano, `${path}.timeUnixNano`),
    name: readString(event.name, `${path}.name`),
    attributes: readAttributes(event.attributes, `${path}.attributes`),
    dropped_attributes_count: readUint32(
      event.droppedAttributesCount,
      `${path}.droppedAttributesCount`,
    ),
  };
}

function readLink(value: unknown, path: string): SpanLink {
  const link = readObject(value, path);
  return {
    trace_id: readTraceId(link.traceId, `${path}.traceId`),
    span_id: readSpanId(link.spanId, `${path}.spanId`),
    trace_state: readString(link.traceState, `${path}.traceState`),
    attributes: readAttributes(link.attributes, `${path}.attributes`),
    dropped_attributes_count: readUint32(
      link.droppedAttributesCount,
      `${path}.droppedAttributesCount`,
    ),
  };
}

function readStatus(
  value: unknown,
  path: string,
): { code: StatusCode; message: string } {
  const status = readObject(value, path);
  return {
    code: readEnum(STATUS_CODES, status.code, `${path}.code`),
    message: readString(status.message, `${path}.message`),
  };
}

function readTimes(span: Record<string, unknown>, path: string) {
  const start = readUint64(span.startTimeUnixNano, `${path}.startTimeUnixNano`);
  if (start === 0n) {
    throw new FieldError(
      `${path}.startTimeUnixNano`,
      'missing: every span needs a start time',
    );
  }
  const end = readUint64(span.endTimeUnixNano, `${path}.endTimeUnixNano`);
  return {
    start_time_unix_nano: start,
    end_time_unix_nano: end,
    ...spanTiming(start, end),
  };
}

/**
 * Maps one OTLP span. The span's own attributes, its resource's and its
 * scope's are kept apart. W3C trace flags are not kept: the model has no
 * field for them.
 */
export function mapSpan(
  value: unknown,
  path: string,
  context: ScopeContext,
): Span {
  const span = readObject(value, path);
  const at = (field: string) => `${path}.${field}`;
  return {
    trace_id: readTraceId(span.traceId, at('traceId')),
    span_id: readSpanId(span.spanId, at('spanId')),
    parent_span_id: readOptionalSpanId(span.parentSpanId, at('parentSpanId')),
    trace_state: readString(span.traceState, at('traceState')),
    service: context.service,
    name: readString(span.name, at('name')),
    kind: readEnum<SpanKind>(SPAN_KINDS, span.kind, at('kind')),
    ...readTimes(span, path),
    status: readStatus(span.status, at('status')),
    attributes: readAttributes(span.attributes, at('attributes')),
    resource: context.resource,
    scope: context.scope,
    events: readArray(span.events, at('events')).map((event, i) =>
      readEvent(event, `${at('events')}[${i}]`),
    ),
    links: readArray(span.links, at('links')).map((link, i) =>
      readLink(link, `${at('links')}[${i}]`),
    ),
    dropped_attributes_count: readUint32(
      span.droppedAttributesCount,
      at('droppedAttributesCount'),
    ),
    dropped_events_count: readUint32(
      span.droppedEventsCount,
      at('droppedEventsCount'),
    ),
    dropped_links_count: readUint32(
      span.droppedLinksCount,
      at('droppedLinksCount'),
    ),
  };
}

/**
 * Maps an ExportTraceServiceRequest in its JSON shape into spans. Spans
 * that cannot be read are rejected with the reason; the rest are mapped.
 */
export function mapTraceRequest(body: unknown): MappedBatch<Span> {
  const batch = emptyBatch<Span>();
  for (const entry of scopedItems(body, LAYOUT)) {
    mapInto(batch, entry, mapSpan);
  }
  return batch;
}
