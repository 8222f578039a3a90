import { logIdOf } from '../logs/log-id.js';
import type { MappedBatch } from '../otlp/batch.js';
import { FieldError } from '../otlp/fields.js';
import { mapLogsRequest } from '../otlp/logs.js';
import { mapMetricsRequest } from '../otlp/metrics.js';
import { decodeProtobufRequest, type OtlpSignal } from '../otlp/protobuf.js';
import { mapTraceRequest } from '../otlp/traces.js';
import { DECLARE_SIGNAL_HINT } from './format.js';
import type { DecodeContext, DecodedRecord, Labeled } from './items.js';
import { otlpSignalsOf } from './otlp-sniff.js';

const NANOS_PER_MS = 1_000_000n;

/** The key of each signal's resource list in an export request. */
export const RESOURCE_KEYS: Record<OtlpSignal, string> = {
  traces: 'resourceSpans',
  metrics: 'resourceMetrics',
  logs: 'resourceLogs',
};

const SIGNALS = Object.keys(RESOURCE_KEYS) as OtlpSignal[];

/** The keys of the scope list and item list under each resource. */
const ITEM_KEYS: Record<OtlpSignal, [string, string]> = {
  traces: ['scopeSpans', 'spans'],
  metrics: ['scopeMetrics', 'metrics'],
  logs: ['scopeLogs', 'logRecords'],
};

function listAt(holder: unknown, key: string): unknown[] {
  const value = (holder as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value : [];
}

/** Tells whether a decoded request has a span, metric or log record. */
function hasItems(signal: OtlpSignal, body: unknown): boolean {
  const [scopeKey, itemKey] = ITEM_KEYS[signal];
  return listAt(body, RESOURCE_KEYS[signal]).some((resource) =>
    listAt(resource, scopeKey).some((scope) => listAt(scope, itemKey).length),
  );
}

/** Returns the signals whose resource list a JSON object carries. */
export function otlpSignalsOfJson(value: Record<string, unknown>) {
  return SIGNALS.filter((signal) => RESOURCE_KEYS[signal] in value);
}

function labeled<T>(batch: MappedBatch<T>, label: string): Labeled<T>[] {
  return batch.items.map((item, index) => ({
    item,
    label: `${label}, ${batch.locations[index] ?? `item ${index}`}`,
  }));
}

function mapInto(
  signal: OtlpSignal,
  body: unknown,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): MappedBatch<unknown> {
  if (signal === 'traces') {
    const batch = mapTraceRequest(body);
    into.spans.push(...labeled(batch, label));
    return batch;
  }
  if (signal === 'metrics') {
    const batch = mapMetricsRequest(body);
    into.points.push(...labeled(batch, label));
    return batch;
  }
  const received = BigInt(context.receivedMs) * NANOS_PER_MS;
  const batch = mapLogsRequest(body, received);
  const records = batch.items.map((record) => ({
    ...record,
    log_id: logIdOf(record),
  }));
  into.logs.push(...labeled({ ...batch, items: records }, label));
  return batch;
}

/**
 * Maps an OTLP export request, in its JSON shape, into `into`. Items the
 * mapping rejects are reported by their place in the request; malformed
 * nesting, which leaves no item to count, is reported for the request.
 */
export function readOtlpRequest(
  signal: OtlpSignal,
  body: unknown,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  try {
    const batch = mapInto(signal, body, label, into, context);
    for (const rejection of batch.rejected) {
      into.problems.push(`${label}: ${rejection.reason}`);
    }
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    into.problems.push(
      `${label}: invalid OTLP ${signal} request: ${error.message}`,
    );
  }
}

function tryDecode(signal: OtlpSignal, data: Buffer) {
  try {
    return decodeProtobufRequest(signal, data);
  } catch {
    return undefined;
  }
}

/**
 * Reads protobuf data as an OTLP export request. With a declared signal
 * the data must be that signal's request. Otherwise the signal is found
 * by the shape of the data (see {@link otlpSignalsOf}); data that fits no
 * signal, or has no resource entry at all, is not OTLP and returns false.
 * Data that fits several signals with items in more than one is
 * reported, because guessing could store them as the wrong kind.
 */
export function readOtlpProtobuf(
  data: Buffer,
  into: DecodedRecord,
  context: DecodeContext,
): boolean {
  const label = 'protobuf';
  if (context.signal) {
    try {
      const body = decodeProtobufRequest(context.signal, data);
      readOtlpRequest(context.signal, body, label, into, context);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      into.problems.push(
        `${label}: not a valid OTLP ${context.signal} export request: ${reason}`,
      );
    }
    return true;
  }
  const candidates = otlpSignalsOf(data).flatMap((signal) => {
    const body = tryDecode(signal, data);
    const resources = body?.[RESOURCE_KEYS[signal]];
    const found = Array.isArray(resources) && resources.length > 0;
    return found ? [{ signal, body }] : [];
  });
  const withItems = candidates.filter((c) => hasItems(c.signal, c.body));
  if (withItems.length > 1) {
    const names = withItems.map((c) => c.signal).join(', ');
    into.problems.push(
      `${label}: the data fits the OTLP export requests of ${names}; ` +
        DECLARE_SIGNAL_HINT,
    );
    return true;
  }
  const chosen = withItems[0] ?? candidates[0];
  if (!chosen) return false;
  readOtlpRequest(chosen.signal, chosen.body, label, into, context);
  return true;
}
