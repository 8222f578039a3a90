import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '#shared/clock.js';
import { type AwsConfig, requireSetting } from '#shared/config.js';
import { resolveBatchConflicts } from '#shared/metrics/conflicts.js';
import { MAX_READ_POINTS } from '#shared/metrics/query.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricPoint,
  MetricQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  Series,
} from '#shared/model/metric.js';
import type { Rejection } from '#shared/model/report.js';
import type { MetricStore, WriteResult } from '#shared/store/ports.js';
import { listMetricInfo, queryStatistics } from './catalog.js';
import { pointProblem, recordProblem, type WriteWindow } from './checks.js';
import {
  createTimestreamClients,
  runQuery,
  type TimestreamClients,
} from './client.js';
import { classifyExisting } from './existing.js';
import type { TimestreamReader } from './reader.js';
import { queryMetric } from './reads.js';
import { buildRecord } from './records.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { tableReference } from './sql.js';
import { type PendingRecord, sendRecords, type WriteTarget } from './writes.js';

/** Settings of the adapter that tests and callers may override. */
export interface TimestreamStoreOptions {
  /** Current time, for the memory store window. */
  clock?: Clock;
  /** Clients to use instead of building them from the config. */
  clients?: TimestreamClients;
  /** Most WriteRecords calls in flight at once; 4 unless set. */
  writeConcurrency?: number;
  /** Retry of throttled calls; see {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryOptions>;
  /** Most stored points one query reads into memory. */
  maxReadPoints?: number;
}

/** The settings one `write` call works with. */
interface WriteSettings {
  window: WriteWindow;
  target: WriteTarget;
  reader: TimestreamReader;
}

/**
 * Checks each point and builds its record. Returns the records to send
 * and the points rejected before any call, by batch index.
 */
function prepare(points: readonly MetricPoint[], window: WriteWindow) {
  const writeId = randomBytes(12).toString('base64url');
  const ready: PendingRecord[] = [];
  const rejected: Rejection[] = [];
  for (const [index, point] of points.entries()) {
    const problem = pointProblem(point, window);
    const record = problem ? undefined : buildRecord(point, writeId);
    const reason = problem ?? (record && recordProblem(record));
    if (reason || !record) {
      rejected.push({ index, reason: reason ?? 'record: could not be built' });
    } else {
      ready.push({ index, point, record });
    }
  }
  return { ready, rejected };
}

/**
 * Metric points in a Timestream for LiveAnalytics table, one
 * multi-measure record per point. The metric name is the measure name.
 * The service, the labels and the start of a cumulative series are
 * dimensions, and the value or distribution fields are measures.
 *
 * NOTE: the point's typed attributes, resource and scope are not stored,
 * because a record is at most 2 KB. The labels keep the attributes as
 * text, which is all that queries read.
 *
 * A batch is checked, its conflicts are resolved by the shared rule of
 * `shared/metrics/conflicts.ts`, and its records are sent in calls of at
 * most 100. Timestream keeps the first record of a series and time and
 * rejects a different one with its `ExistingVersion`. The adapter then
 * reads the stored record back to report a duplicate or a conflict.
 */
export class TimestreamMetricStore implements MetricStore {
  constructor(private readonly settings: () => WriteSettings) {}

  async write(points: MetricPoint[]): Promise<WriteResult> {
    if (points.length === 0) return { written: 0, duplicates: 0, rejected: [] };
    const { window, target, reader } = this.settings();
    const prepared = prepare(points, window);
    const batch = resolveBatchConflicts(prepared.ready);
    const unique = batch.unique.map((item) => item as PendingRecord);

    const sent = await sendRecords(target, unique);
    const existing = await classifyExisting(reader, sent.existing);
    const rejected = [
      ...prepared.rejected,
      ...batch.rejected,
      ...sent.rejected,
      ...existing.rejected,
    ].sort((a, b) => a.index - b.index);
    return {
      written: sent.written,
      duplicates: batch.repeats + existing.duplicates,
      rejected,
    };
  }

  query(query: MetricQuery): Promise<Series[]> {
    return queryMetric(this.settings().reader, query);
  }

  statistics(query: MetricStatisticsQuery): Promise<MetricStatistics | null> {
    return queryStatistics(this.settings().reader, query);
  }

  listMetrics(query: MetricListQuery): Promise<MetricInfo[]> {
    return listMetricInfo(this.settings().reader, query);
  }
}

/**
 * Creates the Timestream metric store from the AWS settings. Fails at
 * once, naming the variable, when the database or table is not set.
 */
export function createTimestreamMetricStore(
  aws: AwsConfig,
  options: TimestreamStoreOptions = {},
): TimestreamMetricStore {
  const database = requireSetting(
    aws.timestreamDatabase,
    'OBSERVATORY_TIMESTREAM_DATABASE',
  );
  const table = requireSetting(
    aws.timestreamTable,
    'OBSERVATORY_TIMESTREAM_TABLE',
  );
  const clients = options.clients ?? createTimestreamClients(aws);
  const clock = options.clock ?? systemClock;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const target: WriteTarget = {
    client: clients.write,
    database,
    table,
    concurrency: options.writeConcurrency ?? 4,
    retry,
  };
  const reader: TimestreamReader = {
    table: tableReference(database, table),
    maxReadPoints: options.maxReadPoints ?? MAX_READ_POINTS,
    rows: (sql) => runQuery(clients.query, sql, retry),
  };
  return new TimestreamMetricStore(() => ({
    window: {
      nowMs: clock.now(),
      memoryRetentionHours: aws.timestreamMemoryRetentionHours,
      magneticWrites: aws.timestreamMagneticWrites,
    },
    target,
    reader,
  }));
}
