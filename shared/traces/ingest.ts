import type { Deps } from '../deps.js';
import type { IngestReport, Rejection } from '../model/report.js';
import type { Span } from '../model/span.js';
import { type IngestWindow, outsideWindow } from '../model/time.js';
import { recordTopology } from '../topology/record.js';
import { capSpan, resourceCapProblem } from './caps.js';
import { msFromNanos } from './timestamps.js';

/** A span with its index in the request it came from. */
export interface IndexedSpan {
  index: number;
  span: Span;
}

function compareKeys([a]: [string, unknown], [b]: [string, unknown]) {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Serializes with object keys sorted, so equal spans give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString();
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return item;
    }
    const entries = Object.entries(item as Record<string, unknown>);
    return Object.fromEntries(entries.sort(compareKeys));
  });
}

/** Explains why a span's times fall outside the ingest window, if they do. */
function windowReason(span: Span, window: IngestWindow): string | undefined {
  const start = outsideWindow(msFromNanos(span.start_time_unix_nano), window);
  if (start) return `start time: ${start}`;
  // An end of 0 marks an incomplete span rather than a time in 1970.
  if (span.end_time_unix_nano === 0n) return undefined;
  const end = outsideWindow(msFromNanos(span.end_time_unix_nano), window);
  return end ? `end time: ${end}` : undefined;
}

/** The first span of a trace and span id in a batch. */
interface KeptSpan {
  index: number;
  span: Span;
  /** Its canonical JSON, built when a later span repeats the ids. */
  text?: string;
}

/**
 * Compares a repeated span with the first one by canonical JSON. The text
 * is built only for repeats: building it for every span took more CPU
 * than the store's write of the batch (measured with bench/ on 1,000-span
 * batches).
 */
function sameContent(first: KeptSpan, span: Span): boolean {
  first.text ??= canonicalJson(first.span);
  return first.text === canonicalJson(span);
}

/**
 * Splits a batch into spans to store and rejections. A second span with
 * the same trace and span id in one batch is accepted without storing it
 * again when it is identical to the first, as a retried item is. When it
 * differs it is rejected, because only one can be stored: the first.
 */
function screen(items: IndexedSpan[], window: IngestWindow) {
  const kept = new Map<string, KeptSpan>();
  const unique: IndexedSpan[] = [];
  const rejected: Rejection[] = [];

  for (const item of items) {
    const problem =
      windowReason(item.span, window) ?? resourceCapProblem(item.span);
    if (problem) {
      rejected.push({ index: item.index, reason: problem });
      continue;
    }
    const key = `${item.span.trace_id}/${item.span.span_id}`;
    const first = kept.get(key);
    if (!first) {
      kept.set(key, { index: item.index, span: item.span });
      unique.push(item);
    } else if (!sameContent(first, item.span)) {
      rejected.push({
        index: item.index,
        reason: duplicateReason(item, first),
      });
    }
  }
  return { unique, rejected };
}

function duplicateReason(item: IndexedSpan, first: { index: number }): string {
  return (
    `span_id ${item.span.span_id} of trace ${item.span.trace_id} repeats ` +
    `the span at index ${first.index} with different content; the first ` +
    'one is kept, so give each span its own span id'
  );
}

/**
 * Stores spans that already passed their own checks, reporting rejections
 * by each item's `index`. Attribute, event and link caps apply first. Used by every entry point that takes spans, so
 * the rules here hold for our JSON API and for OTLP alike.
 */
export async function ingestIndexedSpans(
  deps: Deps,
  items: IndexedSpan[],
): Promise<IngestReport> {
  const window: IngestWindow = {
    clock: deps.clock,
    maxAgeMs: deps.config.ingestMaxAgeMs,
    maxFutureMs: deps.config.ingestMaxFutureMs,
  };
  const capped = items.map((item) => ({ ...item, span: capSpan(item.span) }));
  const { unique, rejected } = screen(capped, window);
  const result = await deps.stores.traces.writeWithRelated(
    unique.map((u) => u.span),
  );
  await recordTopology(deps, unique, result.related);
  for (const failure of result.rejected) {
    const item = unique[failure.index];
    if (item) rejected.push({ index: item.index, reason: failure.reason });
  }

  rejected.sort((a, b) => a.index - b.index);
  if (rejected.length > 0) {
    deps.logger.warn('spans rejected', {
      rejected: rejected.length,
      first_reason: rejected[0]?.reason,
    });
  }
  return { accepted: items.length - rejected.length, rejected };
}

/**
 * Stores already-mapped domain spans and reports what was accepted and
 * rejected, by index in `spans`. Spans already stored are accepted and
 * left as they are, so sending the same spans twice stores them once.
 */
export function ingestSpans(deps: Deps, spans: Span[]): Promise<IngestReport> {
  return ingestIndexedSpans(
    deps,
    spans.map((span, index) => ({ index, span })),
  );
}
