import { PayloadTooLargeError } from '../errors.js';
import { MAX_BATCH_ITEMS } from '../limits.js';
import type { ItemNoun } from './outcome.js';
import type { OtlpSignal } from './protobuf.js';

type Json = Record<string, unknown>;

/** The keys of the nesting levels above each signal's items. */
const LEVELS: Record<OtlpSignal, string[]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};

/** The members of a metric that hold its data points. */
const METRIC_DATA = [
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
];

function arrayAt(holder: unknown, key: string): unknown[] {
  if (holder === null || typeof holder !== 'object') return [];
  const value = (holder as Json)[key];
  return Array.isArray(value) ? value : [];
}

function pointsOf(metric: unknown): number {
  let count = 0;
  for (const kind of METRIC_DATA) {
    const data = (metric as Json | null)?.[kind];
    count += arrayAt(data, 'dataPoints').length;
  }
  return count;
}

/**
 * Counts the items of a decoded OTLP request: spans, metric data points
 * or log records. Malformed nesting counts as no items here; the mapping
 * reports it.
 */
export function countItems(signal: OtlpSignal, body: unknown): number {
  const [resourceKey = '', scopeKey = '', itemKey = ''] = LEVELS[signal];
  let count = 0;
  for (const resource of arrayAt(body, resourceKey)) {
    for (const scope of arrayAt(resource, scopeKey)) {
      const items = arrayAt(scope, itemKey);
      if (signal !== 'metrics') count += items.length;
      else for (const metric of items) count += pointsOf(metric);
    }
  }
  return count;
}

/**
 * Raises a 413 naming the limit when a decoded request holds more than
 * {@link MAX_BATCH_ITEMS} items. Such a request is rejected whole, as our
 * JSON API does, so a client never has to work out which items were kept.
 */
export function checkItemCount(
  signal: OtlpSignal,
  body: unknown,
  noun: ItemNoun,
): void {
  const count = countItems(signal, body);
  if (count <= MAX_BATCH_ITEMS) return;
  throw new PayloadTooLargeError(
    `request has ${count} ${noun.many}, above the limit of ` +
      `${MAX_BATCH_ITEMS} per request; send smaller batches (in the ` +
      'OpenTelemetry Collector, set send_batch_max_size)',
  );
}
