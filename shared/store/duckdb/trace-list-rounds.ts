import type { TraceCursor } from '../../traces/cursor.js';
import type { TraceListQuery } from '../ports.js';
import type { DuckDb } from './database.js';
import {
  type CandidateWindow,
  listCandidateTracesSql,
  listTracesSql,
  traceRangeSql,
} from './trace-list-sql.js';

/** The column of a listed trace that the rounds compare with the bound. */
export interface ListedTraceRow {
  start_time_unix_nano: bigint;
}

/** The traces that may be on the list, from `trace_bounds`. */
interface TraceRange {
  traces: bigint;
  /** Earliest first span start among them, nanoseconds. */
  oldest: bigint;
  /** Latest first span start among them, nanoseconds. */
  newest: bigint;
}

/** Rank of the first round, in pages of `limit + 1` traces. */
const FIRST_RANK_PAGES = 2;
/** Bounds of the factor by which a round that falls short grows the rank. */
const MIN_GROWTH = 4;
const MAX_GROWTH = 64;
/**
 * Once a round would rank one in this many of the traces in the range (half
 * of them), the list summarizes them all instead: by estimate, such a round
 * costs about half as much and might still fall short.
 */
const FULL_SCAN_SHARE = 2n;

async function readRange(
  db: DuckDb,
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
): Promise<TraceRange | undefined> {
  const { sql, params } = traceRangeSql(query, cursor);
  const [row] = await db.query<Partial<TraceRange>>(sql, params);
  const { traces, oldest, newest } = row ?? {};
  if (!traces || oldest == null || newest == null) return undefined;
  return { traces, oldest, newest };
}

/**
 * Guesses the first start above which `rank` traces lie, as if first
 * starts were spread evenly from the range start (or the oldest, when
 * later) to the newest. The guess only narrows the top-N that finds the
 * exact bound, so a wrong guess costs time, never a trace.
 */
function guessBound(range: TraceRange, startNano: bigint, rank: bigint) {
  const from = range.oldest > startNano ? range.oldest : startNano;
  const width = range.newest - from + 1n;
  const share = (width * rank + range.traces - 1n) / range.traces;
  return range.newest - (share > 1n ? share : 1n);
}

/** Grows the rank so the next round should find a full page. */
function nextRank(rank: bigint, settled: number, page: number): bigint {
  const needed = Math.ceil((2 * page) / Math.max(settled, 1));
  const factor = Math.min(MAX_GROWTH, Math.max(MIN_GROWTH, needed));
  return rank * BigInt(factor);
}

/** Removes the round's bound, which is no column of a summary. */
function dropBound<T>(row: T & { bound?: bigint }): T {
  delete row.bound;
  return row;
}

/**
 * Reads the first `limit + 1` summaries of the trace list, newest first.
 *
 * A trace's summary start is the start of one of its spans, so it lies
 * between the trace's first and last span start in `trace_bounds` (whose
 * bounds may be wider than the stored spans, never narrower). Take any
 * bound B. Every trace whose start reaches B has a last span start that
 * reaches B, so summarizing only those candidates finds every listed trace
 * that starts at or after B, filters and cursor included. When at least
 * `limit + 1` of them pass, they form the page, because every other trace
 * starts before B. Otherwise the next round lowers B, and the last resort
 * summarizes every trace in the range. B is the rank-th latest first start
 * among the traces in the range (see {@link CandidateWindow}), so the
 * candidates are about `rank` traces and those still running at B.
 */
export async function listTraceRows<T extends ListedTraceRow>(
  db: DuckDb,
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
): Promise<T[]> {
  const range = await readRange(db, query, cursor);
  if (!range) return [];
  const page = query.limit + 1;
  const startNano = BigInt(query.start_ms) * 1_000_000n;
  let rank = BigInt(FIRST_RANK_PAGES * page);
  while (rank * FULL_SCAN_SHARE < range.traces) {
    const window: CandidateWindow = {
      guess: guessBound(range, startNano, rank),
      rank,
    };
    const { sql, params } = listCandidateTracesSql(query, cursor, window);
    const rows = await db.query<T & { bound?: bigint }>(sql, params);
    const settled = rows.filter(
      (row) => row.bound !== undefined && row.start_time_unix_nano >= row.bound,
    ).length;
    if (settled >= page) return rows.map(dropBound);
    rank = nextRank(rank, settled, page);
  }
  const { sql, params } = listTracesSql(query, cursor);
  return db.query<T>(sql, params);
}
