import { describeValue } from '#shared/metrics/conflicts.js';
import { valueFingerprint } from '#shared/metrics/identity.js';
import type { MetricPoint } from '#shared/model/metric.js';
import type { Rejection } from '#shared/model/report.js';
import { existingWhere } from './metric-sql.js';
import { describeTable, readPoints, type TimestreamReader } from './reader.js';
import { recordKey } from './records.js';
import type { PendingRecord } from './writes.js';

/** Points looked up in one query, which keeps its `IN` lists short. */
const LOOKUP_CHUNK = 100;

/** What the stored records said about points Timestream rejected. */
export interface ExistingOutcome {
  duplicates: number;
  rejected: Rejection[];
}

function storedConflict(stored: MetricPoint): string {
  return (
    'timestamp: conflicts with a stored point of the same series and ' +
    `timestamp, which has ${describeValue(stored)}; the first value ` +
    'stored is kept, so send a different timestamp or labels'
  );
}

function unreadConflict(): string {
  return (
    'timestamp: conflicts with a stored point of the same series and ' +
    'timestamp, which Timestream did not return when read back (its reads ' +
    'are eventually consistent); the first value stored is kept, so send ' +
    'a different timestamp or labels'
  );
}

async function storedByKey(
  reader: TimestreamReader,
  items: readonly PendingRecord[],
): Promise<Map<string, MetricPoint>> {
  const target = await describeTable(reader);
  const stored = new Map<string, MetricPoint>();
  for (let i = 0; i < items.length; i += LOOKUP_CHUNK) {
    const points = items.slice(i, i + LOOKUP_CHUNK).map((item) => item.point);
    const found = await readPoints(
      reader,
      target,
      existingWhere(target, points),
    );
    for (const point of found.points) stored.set(recordKey(point), point);
  }
  return stored;
}

/**
 * Sorts the points whose records met a stored record of the same series
 * and time: the same value is a duplicate (an idempotent repeat), and a
 * different one a conflict that keeps the stored value, reported with it
 * as the DuckDB store does. Every measurement is compared by
 * `valueFingerprint`, the same rule the batch itself follows.
 */
export async function classifyExisting(
  reader: TimestreamReader,
  items: readonly PendingRecord[],
): Promise<ExistingOutcome> {
  const outcome: ExistingOutcome = { duplicates: 0, rejected: [] };
  if (items.length === 0) return outcome;
  const stored = await storedByKey(reader, items);
  for (const item of items) {
    const match = stored.get(recordKey(item.point));
    if (match && valueFingerprint(match) === valueFingerprint(item.point)) {
      outcome.duplicates++;
    } else {
      const reason = match ? storedConflict(match) : unreadConflict();
      outcome.rejected.push({ index: item.index, reason });
    }
  }
  return outcome;
}
