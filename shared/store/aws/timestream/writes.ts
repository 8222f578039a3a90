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
 * Splits records into WriteRecords calls: records of one service and
 * metric go together, at most {@link MAX_RECORDS_PER_WRITE} per call, so
 * each call can share the service dimension and the measure name.
 */
export function planCalls(items: readonly PendingRecord[]): PendingRecord[][] {
  const groups = new Map<string, PendingRecord[]>();
  for (const item of items) {
    const key = JSON.stringify([item.point.service, item.point.name]);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const calls: PendingRecord[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += MAX_RECORDS_PER_WRITE) {
      calls.push(group.slice(i, i + MAX_RECORDS_PER_WRITE));
    }
  }
  return calls;
}

/**
 * Builds one WriteRecords request. `CommonAttributes` carries what every
 * record of the call shares (the service dimension, the measure name and
 * type, the time unit), and each record keeps the rest.
 */
export function writeRequest(
  target: Pick<WriteTarget, 'database' | 'table'>,
  call: readonly PendingRecord[],
): WriteRecordsCommandInput {
  const first = call[0]?.point;
  if (!first) throw new RangeError('a WriteRecords call needs a record');
  return {
    DatabaseName: target.database,
    TableName: target.table,
    CommonAttributes: {
      Dimensions: [{ Name: DIMENSION.service, Value: first.service }],
      MeasureName: first.name,
      MeasureValueType: 'MULTI',
      TimeUnit: 'MILLISECONDS',
    },
    Records: call.map(({ record }) => ({
      Dimensions: (record.Dimensions ?? []).filter(
        (d) => d.Name !== DIMENSION.service,
      ),
      MeasureValues: record.MeasureValues,
      Time: record.Time,
    })),
  };
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
        `${JSON.stringify(call[0]?.point.name)}: ${describeAwsError(error)}; ` +
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
