import {
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import { StoreError } from '../../errors.js';
import type { MetricPoint } from '../../model/metric.js';
import type { Rejection } from '../../model/report.js';
import type { WriteResult } from '../ports.js';
import {
  type ScreenedBatch,
  type StagedPoint,
  screenBatch,
} from './metric-batch.js';
import {
  appendStaged,
  COLUMN_LIST,
  LOAD_LIST,
  type StagingTexts,
  stagingDdl,
} from './metric-columns.js';
import { BatchTexts } from './metric-texts.js';

/** The table of metric points. */
export const METRIC_TABLE = 'metric_points';
const STAGING = 'metric_points_staging';
const TEXT_LIST = LIST(VARCHAR);

/** DDL of the staging table, created once on the writer connection. */
export const STAGING_DDL = stagingDdl(STAGING);

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
 * Whether any stored point of the batch's services lies in its time
 * range. Without one, no staged point can be stored already, so the join
 * below is skipped. The join cost about three times as much CPU as this
 * check, even when it found nothing.
 */
const ANY_STORED = `
  SELECT EXISTS (
    SELECT 1 FROM ${METRIC_TABLE}
    WHERE timestamp_ms BETWEEN $min_ms AND $max_ms
      AND list_contains($services, service)) AS any_stored`;

/**
 * Stored points that share a measurement with a staged point. The time
 * bounds let DuckDB skip row groups that hold no timestamp of the batch.
 */
const FIND_STORED = `
  SELECT r.idx, e.value_key = r.value_key AS same_as_stored,
    e.type AS stored_type, e.value AS stored_value,
    e.count::DOUBLE AS stored_count
  FROM ${STAGING} r JOIN ${METRIC_TABLE} e ON ${SAME_MEASUREMENT}
  WHERE e.timestamp_ms BETWEEN $min_ms AND $max_ms`;

/** Empties the staging table for the next batch. */
const CLEAR_STAGING = `DELETE FROM ${STAGING}`;

/** Inserts the staged points except the ones found stored. */
const INSERT_NEW = `
  INSERT INTO ${METRIC_TABLE} (${COLUMN_LIST})
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
  matches.sort((a, b) => a.idx - b.idx);
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

/** The write statements, prepared once on the writer connection. */
interface WriteStatements {
  connection: DuckDBConnection;
  clear: DuckDBPreparedStatement;
  anyStored: DuckDBPreparedStatement;
  find: DuckDBPreparedStatement;
  insert: DuckDBPreparedStatement;
}

/**
 * Writes batches of metric points on the writer connection. A batch is
 * first grouped by measurement in memory. The first point of each
 * measurement is appended to the staging table and compared with the
 * stored points, and the ones not stored yet are inserted. The
 * statements are prepared once, because parsing and planning them for
 * every batch cost about 5 ms of CPU per 1,000 points on a 2-core machine.
 */
export class MetricWriter {
  private statements: WriteStatements | undefined;

  /** Writes `points` in the open transaction on `connection`. */
  async write(
    connection: DuckDBConnection,
    points: MetricPoint[],
  ): Promise<WriteResult> {
    const batch = screenBatch(points);
    const statements = await this.prepare(connection);
    const texts = await stage(connection, statements, batch.firsts);
    const matches = await findStored(statements, batch.firsts, texts);
    const outcome = settle(batch, matches);
    const fresh = batch.firsts.length - outcome.stored.length;
    statements.insert.bind(
      {
        stored: listValue(outcome.stored),
        texts: listValue(texts.plain.list),
        json: listValue(texts.json.list),
      },
      { stored: LIST(INTEGER), texts: TEXT_LIST, json: TEXT_LIST },
    );
    const inserted = await statements.insert.run();
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
  }

  private async prepare(connection: DuckDBConnection) {
    if (this.statements?.connection !== connection) {
      this.statements = {
        connection,
        clear: await connection.prepare(CLEAR_STAGING),
        anyStored: await connection.prepare(ANY_STORED),
        find: await connection.prepare(FIND_STORED),
        insert: await connection.prepare(INSERT_NEW),
      };
    }
    return this.statements;
  }
}

/** Stages the points and returns the texts they repeat. */
async function stage(
  connection: DuckDBConnection,
  statements: WriteStatements,
  staged: StagedPoint[],
): Promise<StagingTexts> {
  await statements.clear.run();
  const texts = { plain: new BatchTexts(), json: new BatchTexts() };
  const appender = await connection.createAppender(STAGING, 'main', 'temp');
  appendStaged(appender, staged, texts);
  appender.flushSync();
  appender.closeSync();
  return texts;
}

/** Finds the stored points that the staged points meet, in any order. */
async function findStored(
  statements: WriteStatements,
  staged: StagedPoint[],
  texts: StagingTexts,
): Promise<StoredMatch[]> {
  const bounds = timeBounds(staged);
  const services = [...new Set(staged.map((s) => s.point.service))];
  statements.anyStored.bind(
    { ...bounds, services: listValue(services) },
    { services: TEXT_LIST },
  );
  const check = await statements.anyStored.runAndReadAll();
  if (check.getRowObjects()[0]?.any_stored !== true) return [];

  statements.find.bind(
    { ...bounds, texts: listValue(texts.plain.list) },
    { texts: TEXT_LIST },
  );
  const found = await statements.find.runAndReadAll();
  return found.getRowObjects() as unknown as StoredMatch[];
}
