import { type DuckDBValue, listValue } from '@duckdb/node-api';
import { StoreError } from '../../errors.js';
import { firstObservations } from '../../topology/edges.js';
import type {
  EdgeObservation,
  EdgeStats,
  ObservedService,
} from '../../topology/model.js';
import type { EdgeStatsQuery, TopologyStore } from '../ports.js';
import type { DuckDb } from './database.js';
import { writeNewEdges } from './topology-edge-write.js';

const NANOS_PER_MS = 1_000_000n;

/**
 * `topology_edges` has one row per observed call, keyed like the span it
 * derives from. Reads filter on `time_unix_nano`, and because spans arrive
 * roughly in time order, DuckDB's row-group min/max statistics skip most
 * row groups outside the range. `topology_services` has one row per
 * service seen in spans.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS topology_edges (
  trace_id VARCHAR NOT NULL,
  child_span_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  time_unix_nano BIGINT NOT NULL,
  duration_nano BIGINT,
  failed BOOLEAN NOT NULL,
  PRIMARY KEY (trace_id, child_span_id)
);
CREATE TABLE IF NOT EXISTS topology_services (
  service VARCHAR PRIMARY KEY,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL
)`;

/** Merges seen times into stored ones; each service appears once. */
const UPSERT_SERVICES = `
INSERT INTO topology_services
SELECT unnest($names::VARCHAR[]), unnest($firsts::BIGINT[]),
  unnest($lasts::BIGINT[])
ON CONFLICT (service) DO UPDATE SET
  first_seen_ms = least(topology_services.first_seen_ms,
    excluded.first_seen_ms),
  last_seen_ms = greatest(topology_services.last_seen_ms,
    excluded.last_seen_ms)`;

/** Builds the WHERE clause of an edge query and fills its parameters. */
function edgeFilters(
  query: EdgeStatsQuery,
  params: Record<string, DuckDBValue>,
): string {
  params.start = BigInt(query.start_ms) * NANOS_PER_MS;
  params.end = BigInt(query.end_ms) * NANOS_PER_MS;
  const filters = ['time_unix_nano >= $start', 'time_unix_nano < $end'];
  if (query.sources) {
    params.sources = listValue(query.sources);
    filters.push('list_contains($sources::VARCHAR[], source)');
  }
  if (query.targets) {
    params.targets = listValue(query.targets);
    filters.push('list_contains($targets::VARCHAR[], target)');
  }
  return filters.join(' AND ');
}

interface EdgeRow {
  source: string;
  target: string;
  call_count: bigint;
  error_count: bigint;
  p95_duration_nano: number | null;
}

interface ServiceRow {
  service: string;
  first_seen_ms: bigint;
  last_seen_ms: bigint;
}

function serviceFromRow(row: ServiceRow): ObservedService {
  return {
    service: row.service,
    first_seen_ms: Number(row.first_seen_ms),
    last_seen_ms: Number(row.last_seen_ms),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The topology store on embedded DuckDB. */
export class DuckDbTopologyStore implements TopologyStore {
  constructor(private readonly db: DuckDb) {}

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  async recordEdges(observations: EdgeObservation[]): Promise<number> {
    try {
      return await writeNewEdges(this.db, firstObservations(observations));
    } catch (error) {
      throw new StoreError(
        `writing topology edges failed: ${describe(error)}`,
        error,
      );
    }
  }

  async edgeStats(query: EdgeStatsQuery): Promise<EdgeStats[]> {
    // DuckDB cannot bind an empty list without a type, and none would match.
    if (query.sources?.length === 0 || query.targets?.length === 0) return [];
    const params: Record<string, DuckDBValue> = {};
    const where = edgeFilters(query, params);
    const rows = await this.db.query<EdgeRow>(
      `SELECT source, target, count(*) AS call_count,
         count(*) FILTER (WHERE failed) AS error_count,
         quantile_cont(duration_nano, 0.95) AS p95_duration_nano
       FROM topology_edges WHERE ${where}
       GROUP BY source, target ORDER BY source, target`,
      params,
    );
    return rows.map((row) => ({
      ...row,
      call_count: Number(row.call_count),
      error_count: Number(row.error_count),
    }));
  }

  async recordServices(services: ObservedService[]): Promise<void> {
    const merged = mergeServices(services);
    if (merged.length === 0) return;
    const params = {
      names: listValue(merged.map((s) => s.service)),
      firsts: listValue(merged.map((s) => BigInt(s.first_seen_ms))),
      lasts: listValue(merged.map((s) => BigInt(s.last_seen_ms))),
    };
    try {
      await this.db.transaction((connection) =>
        connection.run(UPSERT_SERVICES, params),
      );
    } catch (error) {
      throw new StoreError(
        `writing observed services failed: ${describe(error)}`,
        error,
      );
    }
  }

  async getService(service: string): Promise<ObservedService | undefined> {
    const rows = await this.db.query<ServiceRow>(
      'SELECT * FROM topology_services WHERE service = $1',
      [service],
    );
    return rows[0] ? serviceFromRow(rows[0]) : undefined;
  }

  async listServices(options: {
    after?: string;
    limit: number;
  }): Promise<ObservedService[]> {
    const rows = await this.db.query<ServiceRow>(
      `SELECT * FROM topology_services
       WHERE $after IS NULL OR service > $after
       ORDER BY service LIMIT $limit`,
      { after: options.after ?? null, limit: options.limit },
    );
    return rows.map(serviceFromRow);
  }
}

/**
 * Folds repeated services into one entry each, because one upsert
 * statement may not update the same row twice.
 */
function mergeServices(services: ObservedService[]): ObservedService[] {
  const byName = new Map<string, ObservedService>();
  for (const entry of services) {
    const known = byName.get(entry.service);
    byName.set(entry.service, {
      service: entry.service,
      first_seen_ms: Math.min(
        entry.first_seen_ms,
        known?.first_seen_ms ?? Infinity,
      ),
      last_seen_ms: Math.max(
        entry.last_seen_ms,
        known?.last_seen_ms ?? -Infinity,
      ),
    });
  }
  return [...byName.values()];
}
