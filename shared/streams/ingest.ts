import type { Deps } from '../deps.js';
import { ObservatoryError } from '../errors.js';
import { MAX_BATCH_ITEMS } from '../limits.js';
import { ingestLogRecords } from '../logs/ingest.js';
import { ingestMetricPoints } from '../metrics/ingest.js';
import type { LogRecord } from '../model/log.js';
import type { MetricPoint } from '../model/metric.js';
import type { IngestReport } from '../model/report.js';
import type { Span } from '../model/span.js';
import type { OtlpSignal } from '../otlp/protobuf.js';
import { ingestSpans } from '../traces/ingest.js';
import { decodeRecord } from './decode.js';
import type { DecodedRecord, Labeled } from './items.js';

/** One record of a stream, its data already base64-decoded. */
export interface StreamRecord {
  /** Names the record in logs and dead letters, such as its sequence number. */
  id: string;
  data: Buffer;
  /** When the record reached the stream, in epoch milliseconds. */
  receivedMs: number;
  /** The OTLP signal the sender declared for the record, if any. */
  signal?: OtlpSignal;
}

/** The outcome of one record: items stored, problems and retries. */
export interface RecordOutcome {
  record: StreamRecord;
  /** Items stored now or by an earlier delivery of the same record. */
  stored: number;
  controlMessages: number;
  /** Why parts of the record can never be stored: not worth a retry. */
  problems: string[];
  /**
   * The reason storing failed in a way that a retry can fix, such as an
   * unavailable store. The whole record is then delivered again, which
   * stores nothing twice.
   */
  retryReason?: string;
}

/**
 * Decoded data held before it is stored: at most this many bytes of
 * record data after decompression, so a batch of large records does not
 * hold all of them in memory at once.
 */
const FLUSH_BYTES = 16 * 1024 * 1024;

interface Pending<T> extends Labeled<T> {
  outcome: RecordOutcome;
}

class PendingItems {
  spans: Pending<Span>[] = [];
  logs: Pending<LogRecord>[] = [];
  points: Pending<MetricPoint>[] = [];
  bytes = 0;

  add(decoded: DecodedRecord, outcome: RecordOutcome): void {
    for (const item of decoded.spans) this.spans.push({ ...item, outcome });
    for (const item of decoded.logs) this.logs.push({ ...item, outcome });
    for (const item of decoded.points) this.points.push({ ...item, outcome });
    this.bytes += decoded.decodedBytes;
  }

  get count(): number {
    return this.spans.length + this.logs.length + this.points.length;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function applyReport<T>(chunk: Pending<T>[], report: IngestReport): void {
  const rejected = new Set<number>();
  for (const rejection of report.rejected) {
    const item = chunk[rejection.index];
    if (!item) continue;
    rejected.add(rejection.index);
    item.outcome.problems.push(`${item.label}: ${rejection.reason}`);
  }
  for (const [index, item] of chunk.entries()) {
    if (!rejected.has(index)) item.outcome.stored += 1;
  }
}

/**
 * Stores one signal's pending items in chunks of at most MAX_BATCH_ITEMS.
 * Rejected items become problems of their records, and so does an error
 * below 500 for the whole chunk. Any other error, such as a StoreError,
 * marks every record in the chunk for a retry.
 */
async function storeItems<T>(
  deps: Deps,
  items: Pending<T>[],
  ingest: (deps: Deps, items: T[]) => Promise<IngestReport>,
  noun: string,
): Promise<void> {
  for (let start = 0; start < items.length; start += MAX_BATCH_ITEMS) {
    const chunk = items.slice(start, start + MAX_BATCH_ITEMS);
    try {
      applyReport(
        chunk,
        await ingest(
          deps,
          chunk.map((p) => p.item),
        ),
      );
    } catch (error) {
      const permanent = error instanceof ObservatoryError && error.status < 500;
      const reason = `storing the ${noun} failed: ${reasonOf(error)}`;
      deps.logger.error('storing stream items failed', {
        error,
        items: chunk.length,
        retry: !permanent,
      });
      for (const item of chunk) {
        if (permanent) item.outcome.problems.push(`${item.label}: ${reason}`);
        else item.outcome.retryReason ??= reason;
      }
    }
  }
}

async function flush(deps: Deps, pending: PendingItems): Promise<void> {
  await storeItems(deps, pending.spans, ingestSpans, 'spans');
  await storeItems(deps, pending.logs, ingestLogRecords, 'log records');
  await storeItems(deps, pending.points, ingestMetricPoints, 'metric points');
}

/**
 * Decodes stream records and stores their spans, log records and metric
 * points, batching the items of many records into few store writes. It
 * returns one outcome per record, in order: what was stored, what can
 * never be stored and why, and whether the record needs a retry. Stores
 * deduplicate (spans by trace and span id, logs by id, metric points by
 * the conflict rule), so a record delivered again stores nothing twice.
 */
export async function ingestStreamRecords(
  deps: Deps,
  records: readonly StreamRecord[],
  logGroupServices: Record<string, string>,
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  let pending = new PendingItems();
  for (const record of records) {
    const decoded = decodeRecord(record.data, {
      receivedMs: record.receivedMs,
      logGroupServices,
      signal: record.signal,
    });
    const outcome: RecordOutcome = {
      record,
      stored: 0,
      controlMessages: decoded.controlMessages,
      problems: [...decoded.problems],
    };
    outcomes.push(outcome);
    pending.add(decoded, outcome);
    if (pending.count >= MAX_BATCH_ITEMS || pending.bytes >= FLUSH_BYTES) {
      await flush(deps, pending);
      pending = new PendingItems();
    }
  }
  await flush(deps, pending);
  return outcomes;
}

/** Counts over a batch's outcomes, for the summary log line. */
export function summarizeOutcomes(outcomes: readonly RecordOutcome[]) {
  let stored = 0;
  let control = 0;
  let withProblems = 0;
  let retries = 0;
  for (const outcome of outcomes) {
    stored += outcome.stored;
    control += outcome.controlMessages;
    if (outcome.retryReason) retries += 1;
    else if (outcome.problems.length > 0) withProblems += 1;
  }
  return {
    records: outcomes.length,
    stored_items: stored,
    control_messages: control,
    records_with_problems: withProblems,
    records_to_retry: retries,
  };
}
