import type { DuckDBValue } from '@duckdb/node-api';
import { recordSize } from '#shared/store/aws/timestream/records.js';
import {
  Rejected,
  type RejectedRecord,
  rejectedRecords,
  validation,
} from './errors.js';
import { measuresOf, parseMeasure } from './measures.js';
import type { Column, FakeTable, StoredRecord } from './table.js';

/** A record of a WriteRecords body, fields as the API reference names them. */
export interface WireRecord {
  Dimensions?: { Name?: string; Value?: string; DimensionValueType?: string }[];
  MeasureName?: string;
  MeasureValue?: string;
  MeasureValueType?: string;
  MeasureValues?: { Name?: string; Value?: string; Type?: string }[];
  Time?: string;
  TimeUnit?: string;
  Version?: number;
}

/** What a table accepts: the memory store window and magnetic writes. */
export interface WritePolicy {
  nowMs: number;
  memoryRetentionHours: number;
  magneticWrites: boolean;
}

const MAX_RECORDS = 100;
const MAX_RECORD_BYTES = 2_048;
const MAX_FUTURE_MS = 15 * 60_000;
const UNIT_US: Record<string, bigint> = {
  SECONDS: 1_000_000n,
  MILLISECONDS: 1_000n,
  MICROSECONDS: 1n,
};
const LIMITS =
  'Records with dimensions or measures that exceed the Timestream defined limits';

/**
 * Merges CommonAttributes into a record, as WriteRecords documents: the
 * record's own fields win, and the two dimension lists are joined, so a
 * dimension name in both fails the whole request.
 */
export function mergeRecord(
  common: WireRecord,
  record: WireRecord,
): WireRecord {
  const names = new Set((common.Dimensions ?? []).map((d) => d.Name));
  for (const dimension of record.Dimensions ?? []) {
    if (names.has(dimension.Name)) {
      throw validation(
        `Dimension ${dimension.Name} appears in both CommonAttributes and ` +
          'a record; a record must contain dimensions with unique names.',
      );
    }
  }
  return {
    ...common,
    ...record,
    Dimensions: [...(common.Dimensions ?? []), ...(record.Dimensions ?? [])],
  };
}

function checkDimensionName(name: string): void {
  const lower = name.toLowerCase();
  if (
    ['measure_name', 'measure_value', 'time'].includes(lower) ||
    lower.startsWith('ts_') ||
    lower.startsWith('measure_value') ||
    name.includes(':') ||
    Buffer.byteLength(name) > 60 ||
    name.length === 0
  ) {
    throw new Rejected(
      `${LIMITS}: invalid dimension name ${JSON.stringify(name)}`,
    );
  }
}

function timeOf(record: WireRecord, policy: WritePolicy): bigint {
  const unit = record.TimeUnit ?? 'MILLISECONDS';
  const text = record.Time ?? '';
  if (!/^\d+$/.test(text))
    throw new Rejected(`Invalid time ${JSON.stringify(text)}`);
  const us =
    unit === 'NANOSECONDS'
      ? BigInt(text) / 1_000n
      : BigInt(text) * (UNIT_US[unit] ?? 0n);
  const ms = Number(us / 1_000n);
  const oldest = policy.nowMs - policy.memoryRetentionHours * 3_600_000;
  if (
    (!policy.magneticWrites && ms < oldest) ||
    ms > policy.nowMs + MAX_FUTURE_MS
  ) {
    throw new Rejected(
      `The record timestamp is outside the time range [${oldest}, ` +
        `${policy.nowMs + MAX_FUTURE_MS}) of the data ingestion window.`,
    );
  }
  return us;
}

function dimensionsOf(record: WireRecord, columns: Column[]) {
  const dimensions = new Map<string, string>();
  for (const d of record.Dimensions ?? []) {
    const name = d.Name ?? '';
    checkDimensionName(name);
    if (!d.Value) throw new Rejected(`Dimension ${name} has an empty value`);
    dimensions.set(name, d.Value);
    columns.push({ name, type: 'varchar', attribute: 'DIMENSION' });
  }
  return dimensions;
}

function measureMapOf(
  record: WireRecord,
  dimensions: Map<string, string>,
  columns: Column[],
) {
  const measures = new Map<string, DuckDBValue>();
  const attribute =
    record.MeasureValueType === 'MULTI' ? 'MULTI' : 'MEASURE_VALUE';
  for (const m of measuresOf(record)) {
    if (dimensions.has(m.name)) {
      throw new Rejected(`${m.name} is both a dimension and a measure`);
    }
    measures.set(m.name, parseMeasure(m.name, m.type, m.value));
    columns.push({ name: m.name, type: m.type.toLowerCase(), attribute });
  }
  return measures;
}

/** Rejects a column whose type or role differs from the table's. */
function checkColumns(table: FakeTable, columns: readonly Column[]): void {
  for (const column of columns) {
    const known = table.columns.get(column.name);
    if (!known) continue;
    if (known.type !== column.type || known.attribute !== column.attribute) {
      throw new Rejected(
        `Column ${column.name} is a ${known.attribute} of type ${known.type}, ` +
          `not a ${column.attribute} of type ${column.type}`,
      );
    }
  }
}

/** Checks a merged record against the table and builds what to store. */
function checkRecord(
  table: FakeTable,
  record: WireRecord,
  policy: WritePolicy,
): { stored: StoredRecord; columns: Column[] } {
  const columns: Column[] = [];
  const dimensions = dimensionsOf(record, columns);
  const measures = measureMapOf(record, dimensions, columns);
  checkColumns(table, columns);

  const size = recordSize(record as never);
  if (size > MAX_RECORD_BYTES) {
    throw new Rejected(`${LIMITS}: the record is ${size} bytes, above 2 KB`);
  }
  const timeUs = timeOf(record, policy);

  const measureName = record.MeasureName ?? '';
  const key = JSON.stringify([
    measureName,
    [...dimensions].sort(),
    String(timeUs),
  ]);
  const fingerprint = JSON.stringify(
    [...measures].map(([n, v]) => [n, String(v)]).sort(),
  );
  const version = record.Version ?? 1;
  return {
    stored: {
      key,
      measureName,
      timeUs,
      dimensions,
      measures,
      fingerprint,
      version,
    },
    columns,
  };
}

/**
 * Applies Timestream's rule for a record whose key is stored. A higher
 * Version replaces the stored record. Otherwise the same measure values
 * are an accepted no-op, and different ones are rejected with the stored
 * version.
 */
function versionDecision(
  existing: { version: number; fingerprint: string } | undefined,
  record: StoredRecord,
): 'store' | 'skip' {
  if (!existing || record.version > existing.version) return 'store';
  if (existing.fingerprint === record.fingerprint) return 'skip';
  throw new Rejected(
    'A record with the same dimensions, timestamp and measure name but a ' +
      'different measure value already exists, and its Version is not ' +
      'lower than the Version of this record.',
    existing.version,
  );
}

/** Checks the request as a whole: record count and required fields. */
export function checkRequest(records: readonly WireRecord[]): void {
  if (records.length === 0 || records.length > MAX_RECORDS) {
    throw validation(
      `1 validation error detected: Value at 'records' failed to satisfy ` +
        `constraint: Member must have length between 1 and ${MAX_RECORDS}, ` +
        `but had ${records.length} records.`,
    );
  }
  for (const record of records) {
    if ((record.Dimensions ?? []).length === 0) {
      throw validation('At least one dimension is required for a record.');
    }
    if (!record.MeasureName || record.Time === undefined) {
      throw validation('Each record needs a MeasureName and a Time.');
    }
  }
}

/**
 * Checks the records of a request in order, so a later record meets an
 * earlier one of the same request, then stores the accepted ones at
 * once. Throws RejectedRecordsException listing the records not stored,
 * after storing the rest. Returns how many records were ingested.
 */
export async function applyRecords(
  table: FakeTable,
  records: readonly WireRecord[],
  policy: WritePolicy,
  store: (records: StoredRecord[], columns: Column[]) => Promise<void>,
): Promise<number> {
  const rejected: RejectedRecord[] = [];
  const pending = new Map<string, StoredRecord>();
  const columns: Column[] = [];
  let ingested = 0;
  for (const [index, record] of records.entries()) {
    try {
      const checked = checkRecord(table, record, policy);
      const { key } = checked.stored;
      const existing = pending.get(key) ?? table.versions.get(key);
      if (versionDecision(existing, checked.stored) === 'store') {
        pending.set(key, checked.stored);
        columns.push(...checked.columns);
      }
      ingested++;
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      rejected.push({
        RecordIndex: index,
        Reason: error.message,
        ...(error.existingVersion === undefined
          ? {}
          : { ExistingVersion: error.existingVersion }),
      });
    }
  }
  await store([...pending.values()], columns);
  if (rejected.length > 0) throw rejectedRecords(rejected);
  return ingested;
}
