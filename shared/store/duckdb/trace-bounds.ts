import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDb } from './database.js';

/**
 * The earliest and latest span start of each trace, kept beside the spans
 * so a trace list, the span write's repeat check and the related-span
 * read can find a trace's spans by time. Trace ids are random,
 * so DuckDB's per-row-group min/max statistics cannot skip any row group
 * on `trace_id`, but they can on `start_time_unix_nano`, because spans
 * arrive roughly in time order. The bounds may be wider than the stored
 * spans (a rejected duplicate still widens them), never narrower: the
 * span write relies on that to find stored repeats.
 */
const BOUNDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS trace_bounds (
  trace_id VARCHAR PRIMARY KEY,
  first_start_unix_nano BIGINT NOT NULL,
  last_start_unix_nano BIGINT NOT NULL
)`;

/** Widens the bounds of each staged trace, in one statement per batch. */
const UPSERT_BOUNDS = `
INSERT INTO trace_bounds
SELECT trace_id, min(start_time_unix_nano), max(start_time_unix_nano)
FROM spans_staging GROUP BY trace_id
ON CONFLICT (trace_id) DO UPDATE SET
  first_start_unix_nano =
    least(first_start_unix_nano, excluded.first_start_unix_nano),
  last_start_unix_nano =
    greatest(last_start_unix_nano, excluded.last_start_unix_nano)`;

/**
 * Fills the bounds from stored spans when the table is empty, as it is in
 * a database written before the table existed. Runs at startup, so a
 * store that already has bounds does not scan its spans. Rows go in by
 * first start, as live writes add them, so the table's min/max statistics
 * can skip row groups too.
 */
const BACKFILL_BOUNDS = `
INSERT INTO trace_bounds
SELECT trace_id, min(start_time_unix_nano) AS first_start,
  max(start_time_unix_nano)
FROM spans GROUP BY trace_id ORDER BY first_start`;

/** Creates the bounds table and backfills it when it is empty. */
export async function initTraceBounds(db: DuckDb): Promise<void> {
  await db.exec(BOUNDS_SCHEMA);
  const [row] = await db.query<{ present: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM trace_bounds) AS present',
  );
  if (!row?.present) await db.exec(BACKFILL_BOUNDS);
}

/** Widens the bounds with the staged batch, inside the write transaction. */
export async function recordTraceBounds(
  connection: DuckDBConnection,
): Promise<void> {
  await connection.run(UPSERT_BOUNDS);
}
