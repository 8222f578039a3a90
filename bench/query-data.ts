import type { Deps } from '#shared/deps.js';
import {
  LOGS_EXPORT,
  METRICS_EXPORT,
  TRACE_EXPORT,
} from '#shared/otlp/export.js';
import type { DuckDb } from '#shared/store/duckdb/database.js';
import { SPANS_PER_TRACE } from './data/samples.js';
import { otlpBody } from './data/wire.js';
import { openEmbeddedDeps } from './stores.js';

/** How much data the query benchmark loads. */
export interface QueryDataSize {
  /** Metric points: 10,000 series times this many timestamps, 60 s apart. */
  metricTimestamps: number;
  /** Log records: 10,000 seed records times this many copies; 0 for none. */
  logCopies: number;
  /** Traces: 1,000 seed traces of five spans times this many; 0 for none. */
  traceCopies: number;
}

/** Counts of the loaded data and the values the queries need. */
export interface LoadedData {
  metricPoints: number;
  logRecords: number;
  traces: number;
  spans: number;
  /** Trace ids picked at random, for reads by id. */
  sampleTraceIds: string[];
  /** The end of the loaded data, epoch milliseconds. */
  endMs: number;
  loadSeconds: number;
  /** Seconds each step of the load took, by step. */
  stepSeconds: Record<string, number>;
}

const SEED_BATCH = 1_000;
const SERIES = 10_000;
const SEED_LOGS = 10_000;
const SEED_TRACES = 1_000;
const MINUTE_MS = 60_000;

async function seedInBatches(
  total: number,
  baseMs: number,
  write: (spec: {
    batch: number;
    size: number;
    baseMs: number;
  }) => Promise<unknown>,
) {
  for (let batch = 0; batch * SEED_BATCH < total; batch++) {
    await write({ batch, size: SEED_BATCH, baseMs });
  }
}

/**
 * Stores 10,000 series at one timestamp through the metric store, then
 * copies them to `timestamps` minutes in SQL. Gauges move by up to 4
 * and counters grow by 10 a minute; histograms repeat. `value_key` is
 * rebuilt for the new values as the store would write it (DuckDB prints
 * these quarter values as JavaScript does).
 */
async function loadMetrics(
  deps: Deps,
  db: DuckDb,
  size: QueryDataSize,
  startMs: number,
) {
  const points = METRICS_EXPORT.map(
    otlpBody('metrics', { batch: 0, size: SERIES, baseMs: startMs }),
    deps,
  ).items;
  for (let i = 0; i < points.length; i += SEED_BATCH) {
    await deps.stores.metrics.write(points.slice(i, i + SEED_BATCH));
  }
  await db.exec('CREATE TEMP TABLE metric_seed AS FROM metric_points');
  // Copies go in blocks of 25 minutes, oldest first, so each row group
  // covers a short time range as with live ingest. Sorting within a
  // block would add about a third to the load time.
  for (let first = 1; first < size.metricTimestamps; first += COPY_BLOCK) {
    const last = Math.min(first + COPY_BLOCK, size.metricTimestamps);
    await db.exec(copyMetricsSql(first, last));
  }
}

/** Timestamps copied per statement: 250,000 rows. */
const COPY_BLOCK = 25;

function copyMetricsSql(first: number, last: number): string {
  return `
    INSERT INTO metric_points
    SELECT m.* REPLACE (
      timestamp_ms + k * ${MINUTE_MS} AS timestamp_ms,
      CASE type WHEN 'counter' THEN value + k * 10
        WHEN 'gauge' THEN value + (k % 17) / 4 END AS value,
      CASE WHEN type IN ('counter', 'gauge') THEN
        '["' || type || '",' || format_value(CASE type
          WHEN 'counter' THEN value + k * 10
          ELSE value + (k % 17) / 4 END) || ',null,null,null]'
        ELSE value_key END AS value_key)
    FROM metric_seed m, range(${first}, ${last}) AS steps(k)`;
}

/** Prints a double as JavaScript's String() does for these values. */
const FORMAT_VALUE = `
  CREATE OR REPLACE TEMP MACRO format_value(v) AS
    CASE WHEN v = trunc(v) THEN v::BIGINT::VARCHAR ELSE v::VARCHAR END`;

/**
 * Stores 10,000 log records of the last minute through the log store,
 * then copies them back in time, 36 s per copy, with new ids.
 */
async function loadLogs(
  deps: Deps,
  db: DuckDb,
  size: QueryDataSize,
  endMs: number,
) {
  const stepMs = 36_000;
  const baseMs = endMs - 60_000;
  await seedInBatches(SEED_LOGS, baseMs, async (spec) => {
    const records = LOGS_EXPORT.map(otlpBody('logs', spec), deps).items;
    await deps.stores.logs.write(records);
  });
  await db.exec(`
    INSERT INTO logs
    SELECT l.* REPLACE (
      log_id || '-' || k AS log_id,
      time_unix_nano - k * ${stepMs * 1_000_000} AS time_unix_nano,
      observed_time_unix_nano - k * ${stepMs * 1_000_000}
        AS observed_time_unix_nano)
    FROM logs l, range(1, ${size.logCopies}) AS copies(k)
    ORDER BY k DESC`);
}

/**
 * Stores 1,000 traces through the trace store, then copies them back in
 * time with ids derived from the originals, and rebuilds the trace
 * bounds as the store's startup backfill does.
 */
async function loadTraces(
  deps: Deps,
  db: DuckDb,
  size: QueryDataSize,
  endMs: number,
) {
  const stepMs = 36_000;
  const baseMs = endMs - 60_000;
  await seedInBatches(SEED_TRACES * SPANS_PER_TRACE, baseMs, async (spec) => {
    const spans = TRACE_EXPORT.map(otlpBody('traces', spec), deps).items;
    await deps.stores.traces.write(spans);
  });
  const id = (column: string, digits: number) =>
    `substr(md5(${column} || '-' || k), 1, ${digits})`;
  await db.exec(`
    INSERT INTO spans
    SELECT s.* REPLACE (
      ${id('trace_id', 32)} AS trace_id,
      ${id('span_id', 16)} AS span_id,
      CASE WHEN parent_span_id IS NULL THEN NULL
        ELSE ${id('parent_span_id', 16)} END AS parent_span_id,
      start_time_unix_nano - k * ${stepMs * 1_000_000} AS start_time_unix_nano,
      end_time_unix_nano - k * ${stepMs * 1_000_000} AS end_time_unix_nano)
    FROM spans s, range(1, ${size.traceCopies}) AS copies(k)
    ORDER BY k DESC`);
  await db.exec('DELETE FROM trace_bounds');
  await db.exec(`
    INSERT INTO trace_bounds
    SELECT trace_id, min(start_time_unix_nano) AS first_start,
      max(start_time_unix_nano)
    FROM spans GROUP BY trace_id ORDER BY first_start`);
}

async function count(db: DuckDb, table: string): Promise<number> {
  const [row] = await db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM ${table}`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Fills a fresh database in `dataDir` for the query benchmark and closes
 * it, so a server can open the file next. Seeds go through the stores,
 * so every column is what the stores write. The copies are made in SQL,
 * which is far faster than ingesting millions of items.
 */
export async function loadQueryData(
  dataDir: string,
  size: QueryDataSize,
): Promise<LoadedData> {
  const started = performance.now();
  const { deps, db, close } = await openEmbeddedDeps(dataDir);
  try {
    const endMs = Date.now() - 5 * MINUTE_MS;
    const stepSeconds: Record<string, number> = {};
    const step = async (name: string, work: () => Promise<void>) => {
      const begun = performance.now();
      await work();
      stepSeconds[name] = (performance.now() - begun) / 1_000;
    };
    await db.exec(FORMAT_VALUE);
    const metricStart = endMs - size.metricTimestamps * MINUTE_MS;
    await step('metrics', () => loadMetrics(deps, db, size, metricStart));
    if (size.logCopies > 0) {
      await step('logs', () => loadLogs(deps, db, size, endMs));
    }
    if (size.traceCopies > 0) {
      await step('traces', () => loadTraces(deps, db, size, endMs));
    }
    await step('checkpoint', () => db.exec('CHECKPOINT'));
    const sample = await db.query<{ trace_id: string }>(
      'SELECT trace_id FROM trace_bounds USING SAMPLE 200 ROWS',
    );
    return {
      metricPoints: await count(db, 'metric_points'),
      logRecords: await count(db, 'logs'),
      traces: await count(db, 'trace_bounds'),
      spans: await count(db, 'spans'),
      sampleTraceIds: sample.map((row) => row.trace_id),
      endMs,
      loadSeconds: (performance.now() - started) / 1_000,
      stepSeconds,
    };
  } finally {
    await close();
  }
}
