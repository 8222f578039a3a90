import type { Deps } from '../deps.js';
import { ObservatoryError, ServiceUnavailableError } from '../errors.js';
import { ingestLogRecords, logIdOf } from '../logs/ingest.js';
import { ingestMetricPoints } from '../metrics/ingest.js';
import type { LogRecord } from '../model/log.js';
import type { MetricPoint } from '../model/metric.js';
import type { IngestReport } from '../model/report.js';
import type { Span } from '../model/span.js';
import { ingestSpans } from '../traces/ingest.js';
import type { MappedBatch } from './batch.js';
import { decodeRequest, mapOrReject, type OtlpFormat } from './codec.js';
import { checkItemCount } from './count.js';
import { mapLogsRequest } from './logs.js';
import { mapMetricsRequest } from './metrics.js';
import { type ItemNoun, partialSuccessOf, rejectionsOf } from './outcome.js';
import type { OtlpSignal, PartialSuccess } from './protobuf.js';
import { mapTraceRequest } from './traces.js';

/** The mapping and ingest function of one signal's export requests. */
export interface SignalExport<T> {
  signal: OtlpSignal;
  noun: ItemNoun;
  map(body: unknown, deps: Deps): MappedBatch<T>;
  ingest(deps: Deps, items: T[]): Promise<IngestReport>;
}

export const TRACE_EXPORT: SignalExport<Span> = {
  signal: 'traces',
  noun: { one: 'span', many: 'spans' },
  map: (body) => mapTraceRequest(body),
  ingest: ingestSpans,
};

export const METRICS_EXPORT: SignalExport<MetricPoint> = {
  signal: 'metrics',
  noun: { one: 'data point', many: 'data points' },
  map: (body) => mapMetricsRequest(body),
  ingest: ingestMetricPoints,
};

/** Log records get their id here: a hash, because OTLP sends none. */
export const LOGS_EXPORT: SignalExport<LogRecord> = {
  signal: 'logs',
  noun: { one: 'log record', many: 'log records' },
  map: (body, deps) => {
    const receivedNano = BigInt(deps.clock.now()) * 1_000_000n;
    const batch = mapLogsRequest(body, receivedNano);
    const items = batch.items.map((record) => ({
      ...record,
      log_id: logIdOf(record),
    }));
    return { ...batch, items };
  },
  ingest: ingestLogRecords,
};

/**
 * Stores mapped items. A store failure, or any unexpected error while
 * storing, becomes a 503: ingest is idempotent, so the client can send the
 * same request again without storing anything twice. Errors below 500 keep
 * their status.
 */
async function storeItems<T>(
  deps: Deps,
  spec: SignalExport<T>,
  items: T[],
): Promise<IngestReport> {
  try {
    return await spec.ingest(deps, items);
  } catch (error) {
    if (error instanceof ObservatoryError && error.status < 500) throw error;
    throw new ServiceUnavailableError(
      `storing the ${spec.noun.many} failed; retry the request later, ` +
        'which stores nothing twice',
      error,
    );
  }
}

/**
 * Decodes, maps and stores one OTLP export request. Returns the partial
 * success to report, or undefined when every item was accepted. Raises a
 * 400 when the body cannot be decoded or no item in it can be read, a 413
 * above MAX_BATCH_ITEMS items, and a 503 when storing fails.
 */
export async function exportOtlp<T>(
  deps: Deps,
  spec: SignalExport<T>,
  format: OtlpFormat,
  body: Buffer,
): Promise<PartialSuccess | undefined> {
  const decoded = decodeRequest(spec.signal, format, body);
  checkItemCount(spec.signal, decoded, spec.noun);
  const batch = mapOrReject(() => spec.map(decoded, deps), spec.noun.many);
  const report: IngestReport =
    batch.items.length > 0
      ? await storeItems(deps, spec, batch.items)
      : { accepted: 0, rejected: [] };

  if (batch.rejected.length > 0) {
    deps.logger.warn('OTLP items rejected while decoding', {
      signal: spec.signal,
      rejected: batch.rejected.length,
      first_reason: batch.rejected[0]?.reason,
    });
  }
  return partialSuccessOf(rejectionsOf(batch, report), spec.noun);
}
