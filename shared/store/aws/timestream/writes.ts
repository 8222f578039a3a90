import {
  type _Record,
  type RejectedRecord,
  RejectedRecordsException,
  type TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from '@aws-sdk/client-timestream-write';
import { StoreError } from '#shared/errors.js';
import type { MetricPoint } from '#shared/model/metric.js';
import type { Rejection } from '#shared/model/report.js';
import { describeAwsError } from './client.js';
import { MAX_RECORDS_PER_WRITE } from './limits.js';
import { DIMENSION } from './records.js';
import { type RetryOptions, withThrottlingRetry } from './retry.js';

/** A point ready to send: its index in the batch and its whole record. */
export interface PendingRecord {
  index: number;
  point: MetricPoint;
  record: _Record;
}

/** Where and how records are written. */
export interface WriteTarget {
  client: TimestreamWriteClient;
  database: string;
  table: string;
  /** Most WriteRecords calls in flight at once. */
  concurrency: number;
  retry: RetryOptions;
}

/** What the calls of one batch did. */
export interface SendOutcome {
  written: number;
  rejected: Rejection[];
  /**
   * Records Timestream rejected because a record of the same series and
   * time is stored with a different value: a repeat of a stored point or
   * a conflict with it, told apart by reading the stored record.
   */
  existing: PendingRecord[];
}

/**
 * Splits records into WriteRecords calls of at most
 * {@link MAX_RECORDS_PER_WRITE}. A call needs nothing in common, so
 * every call but the last is full. Records are ordered by service, then
 * metric, in the order each first appears, so that most calls share the
 * service and few calls mix metrics. {@link writeRequest} moves what a
 * call shares into `CommonAttributes`.
 */
export function planCalls(items: readonly PendingRecord[]): PendingRecord[][] {
  const services = new Map<string, Map<string, PendingRecord[]>>();
  for (const item of items) {
    const { service, name } = item.point;
    const metrics = services.get(service) ?? new Map();
    services.set(service, metrics);
    const group = metrics.get(name) ?? [];
    metrics.set(name, group);
    group.push(item);
  }
  const ordered: PendingRecord[] = [];
  for (const metrics of services.values()) {
    for (const group of metrics.values()) ordered.push(...group);
  }
  const calls: PendingRecord[][] = [];
  for (let i = 0; i < ordered.length; i += MAX_RECORDS_PER_WRITE) {
    calls.push(ordered.slice(i, i + MAX_RECORDS_PER_WRITE));
  }
  return calls;
}

/** Returns the value all points of a call share, or undefined. */
function sharedValue(
  call: readonly PendingRecord[],
  field: (point: MetricPoint) => string,
): string | undefined {
  const first = call[0];
  if (!first) return undefined;
  const value = field(first.point);
  return call.every((item) => field(item.point) === value) ? value : undefined;
}

/**
 * Builds one WriteRecords request. `CommonAttributes` always carries the
 * measure value type and the time unit, and carries the service
 * dimension and the measure name when every record of the call shares
 * them. Each record keeps the rest, its own service and measure name
 * included where the call mixes them. Timestream merges the two and
 * rejects the whole call when a dimension name appears in both, so no
 * field is sent in both places.
 */
export function writeRequest(
  target: Pick<WriteTarget, 'database' | 'table'>,
  call: readonly PendingRecord[],
): WriteRecordsCommandInput {
  if (call.length === 0) {
    throw new RangeError('a WriteRecords call needs a record');
  }
  const service = sharedValue(call, (point) => point.service);
  const measureName = sharedValue(call, (point) => point.name);
  const common: _Record = {
    MeasureValueType: 'MULTI',
    TimeUnit: 'MILLISECONDS',
  };
  if (service !== undefined) {
    common.Dimensions = [{ Name: DIMENSION.service, Value: service }];
  }
  if (measureName !== undefined) common.MeasureName = measureName;
  return {
    DatabaseName: target.database,
    TableName: target.table,
    CommonAttributes: common,
    Records: call.map(({ record }) => ownFields(record, common)),
  };
}

/** Returns the fields of a record that `common` does not carry. */
function ownFields(record: _Record, common: _Record): _Record {
  const commonNames = new Set(common.Dimensions?.map((d) => d.Name));
  const own: _Record = {
    Dimensions: record.Dimensions?.filter((d) => !commonNames.has(d.Name)),
    MeasureValues: record.MeasureValues,
    Time: record.Time,
  };
  if (common.MeasureName === undefined) own.MeasureName = record.MeasureName;
  return own;
}

/** Names the metrics of a call for an error message, at most three. */
function describeMetrics(call: readonly PendingRecord[]): string {
  const names = [...new Set(call.map((item) => item.point.name))];
  const quoted = names.slice(0, 3).map((name) => JSON.stringify(name));
  const more = names.length - quoted.length;
  return more > 0 ? `${quoted.join(', ')} and ${more} more` : quoted.join(', ');
}

/**
 * Reads a RejectedRecordsException by record index. A record with
 * `ExistingVersion` met a stored record of the same series and time;
 * others are rejected with Timestream's reason. The rest were written.
 */
export function readRejections(
  call: readonly PendingRecord[],
  rejected: readonly RejectedRecord[],
): SendOutcome {
  const outcome: SendOutcome = {
    written: call.length,
    rejected: [],
    existing: [],
  };
  for (const entry of rejected) {
    const item = call[entry.RecordIndex ?? -1];
    if (!item) continue;
    outcome.written--;
    if (entry.ExistingVersion !== undefined) {
      outcome.existing.push(item);
    } else {
      const reason = entry.Reason ?? 'no reason given';
      outcome.rejected.push({
        index: item.index,
        reason: `record: Timestream rejected it: ${reason}`,
      });
    }
  }
  return outcome;
}

async function sendCall(
  target: WriteTarget,
  call: readonly PendingRecord[],
): Promise<SendOutcome> {
  const input = writeRequest(target, call);
  try {
    await withThrottlingRetry(
      () => target.client.send(new WriteRecordsCommand(input)),
      target.retry,
    );
    return { written: call.length, rejected: [], existing: [] };
  } catch (error) {
    if (error instanceof RejectedRecordsException) {
      return readRejections(call, error.RejectedRecords ?? []);
    }
    throw new StoreError(
      `Timestream WriteRecords failed for ${call.length} records of ` +
        `${describeMetrics(call)}: ${describeAwsError(error)}; ` +
        'records of other calls in this batch may be stored, and sending ' +
        'the batch again stores only the missing ones',
      error,
    );
  }
}

/** Runs `work` over `items` with at most `limit` promises pending. */
async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  await Promise.all(workers);
  return results;
}

/**
 * Sends records in calls of at most 100, `target.concurrency` calls at a
 * time, retrying throttled calls. A call that still fails throws after
 * the calls in flight settle.
 */
export async function sendRecords(
  target: WriteTarget,
  items: readonly PendingRecord[],
): Promise<SendOutcome> {
  const outcomes = await mapPool(planCalls(items), target.concurrency, (call) =>
    sendCall(target, call).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
  );
  const total: SendOutcome = { written: 0, rejected: [], existing: [] };
  for (const outcome of outcomes) {
    if ('error' in outcome) throw outcome.error;
    total.written += outcome.value.written;
    total.rejected.push(...outcome.value.rejected);
    total.existing.push(...outcome.value.existing);
  }
  return total;
}
