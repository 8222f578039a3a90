import type { Deps } from '../deps.js';
import type { IngestReport, Rejection } from '../model/report.js';
import { readJsonSpan } from './from-json.js';
import { type IndexedSpan, ingestIndexedSpans } from './ingest.js';

/**
 * Reads and stores the spans of a JSON request, each on its own: a span
 * that cannot be read is reported by index and the rest are stored.
 * `requestTraceId` is the trace id of a `/traces/ingest` request.
 */
export async function ingestJsonSpans(
  deps: Deps,
  rawSpans: unknown[],
  requestTraceId?: string,
): Promise<IngestReport> {
  const readable: IndexedSpan[] = [];
  const unreadable: Rejection[] = [];
  for (const [index, raw] of rawSpans.entries()) {
    const reading = readJsonSpan(raw, requestTraceId);
    if ('span' in reading) readable.push({ index, span: reading.span });
    else unreadable.push({ index, reason: reading.reason });
  }

  const report = await ingestIndexedSpans(deps, readable);
  if (unreadable.length > 0) {
    deps.logger.warn('unreadable spans rejected', {
      rejected: unreadable.length,
      first_reason: unreadable[0]?.reason,
    });
  }
  const rejected = [...unreadable, ...report.rejected];
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: report.accepted, rejected };
}
