import type { DuckDBConnection } from '@duckdb/node-api';
import { StoreError, ValidationError } from '../../errors.js';
import { MAX_READ_POINTS } from '../../metrics/query.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricPoint,
  MetricQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  Series,
} from '../../model/metric.js';
import type { Rejection } from '../../model/report.js';
import type { MetricStore, WriteResult } from '../ports.js';
import type { DuckDb } from './database.js';
import { listMetricInfo, queryStatistics } from './metric-catalog.js';
import {
  appendPoint,
  COLUMN_LIST,
  LOAD_LIST,
  stagingDdl,
  tableDdl,
} from './metric-columns.js';
import { runMetricQuery } from './metric-reads.js';

const TABLE = 'metric_points';
const STAGING = 'metric_points_staging';

/** Columns that identify one measurement: a series at one timestamp. */
const SAME_MEASUREMENT = `
  e.service = r.service AND e.name = r.name
  AND e.labels_key = r.labels_key
  AND e.start_timestamp_ms IS NOT DISTINCT FROM r.start_timestamp_ms
  AND e.timestamp_ms = r.timestamp_ms`;

/** The staged batch ranked by arrival within each measurement. */
const RANKED = `
  ranked AS (
    SELECT *,
      row_number() OVER measurement AS arrival,
      first_value(idx) OVER measurement AS first_idx,
      first_value(value_key) OVER measurement AS first_value_key
    FROM ${STAGING}
    WINDOW measurement AS (
      PARTITION BY service, name, labels_key, start_timestamp_ms,
        timestamp_ms
      ORDER BY idx)
  )`;

/** Each staged point with what it meets: an earlier point or a stored one. */
const CLASSIFY = `
  WITH ${RANKED}
  SELECT r.idx, r.arrival, r.first_idx,
    r.value_key = r.first_value_key AS same_as_first,
    e.value_key IS NOT NULL AS is_stored,
    e.value_key IS NOT DISTINCT FROM r.value_key AS same_as_stored,
    e.type AS stored_type,
    e.value AS stored_value, e.count::DOUBLE AS stored_count
  FROM ranked r
  LEFT JOIN ${TABLE} e ON ${SAME_MEASUREMENT}
    AND e.timestamp_ms BETWEEN $min_ms AND $max_ms
  ORDER BY r.idx`;

/** Inserts first arrivals that are not stored yet (the anti-join). */
const INSERT_NEW = `
  INSERT INTO ${TABLE} (${COLUMN_LIST})
  WITH ${RANKED}
  SELECT ${LOAD_LIST} FROM ranked r
  WHERE r.arrival = 1 AND NOT EXISTS (
    SELECT 1 FROM ${TABLE} e
    WHERE ${SAME_MEASUREMENT} AND e.timestamp_ms BETWEEN $min_ms AND $max_ms)`;

interface ClassifiedRow {
  idx: number;
  arrival: bigint;
  first_idx: number;
  same_as_first: boolean;
  is_stored: boolean;
  same_as_stored: boolean;
  stored_type: string | null;
  stored_value: number | null;
  stored_count: number | null;
}

interface BatchOutcome {
  fresh: number;
  duplicates: number;
  rejected: Rejection[];
}

function batchConflict(row: ClassifiedRow): string {
  return (
    `timestamp: conflicts with point ${row.first_idx} of this batch, ` +
    'which has the same series and timestamp and a different value; the ' +
    'first point is kept, so send a different timestamp or labels'
  );
}

function storedConflict(row: ClassifiedRow): string {
  const stored =
    row.stored_value !== null
      ? `value ${row.stored_value}`
      : `a ${row.stored_type} with count ${row.stored_count}`;
  return (
    'timestamp: conflicts with a stored point of the same series and ' +
    `timestamp, which has ${stored}; the first value stored is kept, so ` +
    'send a different timestamp or labels'
  );
}

/**
 * Sorts each staged point into new, repeat or conflict. The first point
 * of a measurement in the batch is compared with the stored one, and
 * later points of the same measurement with that first point.
 */
function classify(rows: ClassifiedRow[]): BatchOutcome {
  const outcome: BatchOutcome = { fresh: 0, duplicates: 0, rejected: [] };
  for (const row of rows) {
    if (row.arrival > 1n) {
      if (row.same_as_first) outcome.duplicates++;
      else
        outcome.rejected.push({ index: row.idx, reason: batchConflict(row) });
    } else if (!row.is_stored) {
      outcome.fresh++;
    } else if (row.same_as_stored) {
      outcome.duplicates++;
    } else {
      outcome.rejected.push({ index: row.idx, reason: storedConflict(row) });
    }
  }
  return outcome;
}

function timeBounds(points: MetricPoint[]) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const point of points) {
    min = Math.min(min, point.timestamp_ms);
    max = Math.max(max, point.timestamp_ms);
  }
  return { min_ms: BigInt(min), max_ms: BigInt(max) };
}

/** Builds the 400 for a regular expression DuckDB (RE2) rejects. */
function invalidRegex(index: number, error: unknown): ValidationError {
  const reason = error instanceof Error ? error.message : String(error);
  const path = `matchers[${index}].value`;
  return new ValidationError(
    `${path} is not a valid regular expression (${reason}); use RE2 ` +
      'syntax, which has no lookaround or backreferences',
    [{ path, message: `invalid regular expression: ${reason}` }],
    error,
  );
}

/**
 * Metric points in one DuckDB table. A batch is appended to a staging
 * table, classified against itself and the stored points, and its new
 * measurements are inserted by anti-join, all in one transaction.
 */
export class DuckDbMetricStore implements MetricStore {
  /**
   * @param maxReadPoints - most stored points one query reads into memory
   *   to compute increases, distribution percentiles or statistics; above
   *   it the query is a 400. Defaults to {@link MAX_READ_POINTS}.
   */
  constructor(
    private readonly db: DuckDb,
    private readonly maxReadPoints = MAX_READ_POINTS,
  ) {}

  /** Creates the metric table when it does not exist. */
  async init(): Promise<void> {
    await this.db.exec(tableDdl(TABLE));
  }

  async write(points: MetricPoint[]): Promise<WriteResult> {
    if (points.length === 0) return { written: 0, duplicates: 0, rejected: [] };
    const bounds = timeBounds(points);
    return this.db.transaction(async (connection) => {
      await this.stage(connection, points);
      const reader = await connection.runAndReadAll(CLASSIFY, bounds);
      const outcome = classify(
        reader.getRowObjects() as unknown as ClassifiedRow[],
      );
      const inserted = await connection.run(INSERT_NEW, bounds);
      if (inserted.rowsChanged !== outcome.fresh) {
        // Writes are serialized, so the classification cannot go stale;
        // a mismatch is a bug, and throwing rolls the batch back.
        throw new StoreError(
          `metric write inserted ${inserted.rowsChanged} points but ` +
            `classified ${outcome.fresh} as new`,
        );
      }
      return {
        written: inserted.rowsChanged,
        duplicates: outcome.duplicates,
        rejected: outcome.rejected,
      };
    });
  }

  async query(query: MetricQuery): Promise<Series[]> {
    await this.checkRegexes(query);
    return runMetricQuery(this.db, TABLE, query, this.maxReadPoints);
  }

  statistics(query: MetricStatisticsQuery): Promise<MetricStatistics | null> {
    return queryStatistics(this.db, TABLE, query, this.maxReadPoints);
  }

  listMetrics(query: MetricListQuery): Promise<MetricInfo[]> {
    return listMetricInfo(this.db, TABLE, query);
  }

  private async stage(connection: DuckDBConnection, points: MetricPoint[]) {
    await connection.run(stagingDdl(STAGING));
    await connection.run(`DELETE FROM ${STAGING}`);
    const appender = await connection.createAppender(STAGING, 'main', 'temp');
    for (const [index, point] of points.entries()) {
      appendPoint(appender, index, point);
    }
    appender.flushSync();
    appender.closeSync();
  }

  /** Compiles each regex matcher in DuckDB so a bad one is a 400. */
  private async checkRegexes(query: MetricQuery): Promise<void> {
    for (const [index, matcher] of query.matchers.entries()) {
      if (matcher.op !== '=~' && matcher.op !== '!~') continue;
      try {
        await this.db.query(`SELECT regexp_full_match('', $1)`, [
          matcher.value,
        ]);
      } catch (error) {
        throw invalidRegex(index, error);
      }
    }
  }
}
