import {
  type DuckDBConnection,
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
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
import {
  type ScreenedBatch,
  type StagedPoint,
  screenBatch,
} from './metric-batch.js';
import { listMetricInfo, queryStatistics } from './metric-catalog.js';
import {
  appendStaged,
  COLUMN_LIST,
  LOAD_LIST,
  type StagingTexts,
  stagingDdl,
  tableDdl,
} from './metric-columns.js';
import { runMetricQuery } from './metric-reads.js';
import { BatchTexts } from './metric-texts.js';

const TABLE = 'metric_points';
const TEXT_LIST = LIST(VARCHAR);
const STAGING = 'metric_points_staging';

/**
 * Columns that identify one measurement: a series at one timestamp. The
 * service and name are staged as positions in the `$texts` list.
 */
const SAME_MEASUREMENT = `
  e.service = $texts[r.service] AND e.name = $texts[r.name]
  AND e.labels_key = r.labels_key
  AND e.start_timestamp_ms IS NOT DISTINCT FROM r.start_timestamp_ms
  AND e.timestamp_ms = r.timestamp_ms`;

/**
 * Stored points that share a measurement with a staged point. The time
 * bounds let DuckDB skip row groups that hold no timestamp of the batch.
 */
const FIND_STORED = `
  SELECT r.idx, e.value_key = r.value_key AS same_as_stored,
    e.type AS stored_type, e.value AS stored_value,
    e.count::DOUBLE AS stored_count
  FROM ${STAGING} r JOIN ${TABLE} e ON ${SAME_MEASUREMENT}
  WHERE e.timestamp_ms BETWEEN $min_ms AND $max_ms
  ORDER BY r.idx`;

/** Inserts the staged points except the ones found stored. */
const INSERT_NEW = `
  INSERT INTO ${TABLE} (${COLUMN_LIST})
  SELECT ${LOAD_LIST} FROM ${STAGING}
  WHERE NOT list_contains($stored, idx)`;

/** A row of {@link FIND_STORED}. */
interface StoredMatch {
  idx: number;
  same_as_stored: boolean;
  stored_type: string;
  stored_value: number | null;
  stored_count: number | null;
}

interface BatchOutcome {
  /** Batch indices of the staged points that are stored already. */
  stored: number[];
  duplicates: number;
  rejected: Rejection[];
}

function storedConflict(match: StoredMatch): string {
  const stored =
    match.stored_value !== null
      ? `value ${match.stored_value}`
      : `a ${match.stored_type} with count ${match.stored_count}`;
  return (
    'timestamp: conflicts with a stored point of the same series and ' +
    `timestamp, which has ${stored}; the first value stored is kept, so ` +
    'send a different timestamp or labels'
  );
}

/**
 * Settles the first arrivals that meet a stored point. An equal value is
 * a duplicate, and a different one is a conflict. Rejections come out in
 * batch order, those found in the batch itself included.
 */
function settle(batch: ScreenedBatch, matches: StoredMatch[]): BatchOutcome {
  const outcome: BatchOutcome = {
    stored: [],
    duplicates: batch.duplicates,
    rejected: [...batch.rejected],
  };
  for (const match of matches) {
    // A measurement is stored once, but should a table hold it twice,
    // the point still counts once.
    if (outcome.stored.at(-1) === match.idx) continue;
    outcome.stored.push(match.idx);
    if (match.same_as_stored) {
      outcome.duplicates++;
    } else {
      const reason = storedConflict(match);
      outcome.rejected.push({ index: match.idx, reason });
    }
  }
  outcome.rejected.sort((a, b) => a.index - b.index);
  return outcome;
}

function timeBounds(staged: StagedPoint[]) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const { point } of staged) {
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
 * Metric points in one DuckDB table. A batch is first grouped by
 * measurement in memory. The first point of each measurement is appended
 * to a staging table and compared with the stored points, and the ones not
 * stored yet are inserted, all in one transaction.
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
    const batch = screenBatch(points);
    const bounds = timeBounds(batch.firsts);
    return this.db.transaction(async (connection) => {
      const texts = await this.stage(connection, batch.firsts);
      const reader = await connection.runAndReadAll(
        FIND_STORED,
        { ...bounds, texts: listValue(texts.plain.list) },
        { texts: TEXT_LIST },
      );
      const outcome = settle(
        batch,
        reader.getRowObjects() as unknown as StoredMatch[],
      );
      const fresh = batch.firsts.length - outcome.stored.length;
      const inserted = await connection.run(
        INSERT_NEW,
        {
          stored: listValue(outcome.stored),
          texts: listValue(texts.plain.list),
          json: listValue(texts.json.list),
        },
        { stored: LIST(INTEGER), texts: TEXT_LIST, json: TEXT_LIST },
      );
      if (inserted.rowsChanged !== fresh) {
        // Writes are serialized, so the classification cannot go stale;
        // a mismatch is a bug, and throwing rolls the batch back.
        throw new StoreError(
          `metric write inserted ${inserted.rowsChanged} points but ` +
            `classified ${fresh} as new`,
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

  /** Stages the points and returns the texts they repeat. */
  private async stage(
    connection: DuckDBConnection,
    staged: StagedPoint[],
  ): Promise<StagingTexts> {
    await connection.run(stagingDdl(STAGING));
    await connection.run(`DELETE FROM ${STAGING}`);
    const texts = { plain: new BatchTexts(), json: new BatchTexts() };
    const appender = await connection.createAppender(STAGING, 'main', 'temp');
    appendStaged(appender, staged, texts);
    appender.flushSync();
    appender.closeSync();
    return texts;
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
