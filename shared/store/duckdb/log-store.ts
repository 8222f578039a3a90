import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { encodeLogCursor } from '#shared/logs/cursor.js';
import type { LogLevel, LogQuery, LogRecord } from '#shared/model/log.js';
import { levelRank } from '#shared/model/log.js';
import type {
  LogCountQuery,
  LogLevelCount,
  LogStore,
  Page,
  WriteResult,
} from '../ports.js';
import type { DuckDb } from './database.js';
import {
  buildLevelCounts,
  buildLogSearch,
  LOG_COLUMNS,
} from './log-search-sql.js';

/**
 * `level_rank` is the level's place from TRACE (0) to FATAL (5), -1 for
 * UNSPECIFIED, so level ranges are integer comparisons. JSON columns keep
 * values in OTLP's typed form, with 64-bit integers as decimal strings.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  log_id VARCHAR NOT NULL,
  time_unix_nano BIGINT NOT NULL,
  observed_time_unix_nano BIGINT NOT NULL,
  service VARCHAR NOT NULL,
  level VARCHAR NOT NULL,
  level_rank TINYINT NOT NULL,
  severity_number INTEGER NOT NULL,
  severity_text VARCHAR NOT NULL,
  message VARCHAR NOT NULL,
  body JSON NOT NULL,
  attributes JSON NOT NULL,
  resource JSON NOT NULL,
  scope JSON NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR
)`;

/** Same columns as `logs`, JSON as text, on the writer connection only. */
const STAGING = `
CREATE TEMP TABLE IF NOT EXISTS logs_staging (
  log_id VARCHAR, time_unix_nano BIGINT, observed_time_unix_nano BIGINT,
  service VARCHAR, level VARCHAR, level_rank TINYINT,
  severity_number INTEGER, severity_text VARCHAR, message VARCHAR,
  body VARCHAR, attributes VARCHAR, resource VARCHAR, scope VARCHAR,
  trace_id VARCHAR, span_id VARCHAR
)`;

const INSERT_NEW = `
INSERT INTO logs
SELECT s.* FROM logs_staging s
WHERE NOT EXISTS (SELECT 1 FROM logs l WHERE l.log_id = s.log_id)`;

interface Row {
  log_id: string;
  time_unix_nano: bigint;
  observed_time_unix_nano: bigint;
  service: string;
  level: string;
  severity_number: number;
  severity_text: string;
  message: string;
  body: string;
  attributes: string;
  resource: string;
  scope: string;
  trace_id: string | null;
  span_id: string | null;
}

interface CountRow {
  bucket_unix_nano: bigint;
  level: string;
  count: bigint;
}

const NANOS_PER_MS = 1_000_000n;

function recordOf(row: Row): LogRecord {
  return {
    log_id: row.log_id,
    time_unix_nano: row.time_unix_nano,
    observed_time_unix_nano: row.observed_time_unix_nano,
    service: row.service,
    level: row.level as LogLevel,
    severity_number: row.severity_number,
    severity_text: row.severity_text,
    message: row.message,
    body: JSON.parse(row.body),
    attributes: JSON.parse(row.attributes),
    resource: JSON.parse(row.resource),
    scope: JSON.parse(row.scope),
    trace_id: row.trace_id,
    span_id: row.span_id,
  };
}

function appendNullable(appender: DuckDBAppender, value: string | null) {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendRecord(appender: DuckDBAppender, record: LogRecord): void {
  appender.appendVarchar(record.log_id);
  appender.appendBigInt(record.time_unix_nano);
  appender.appendBigInt(record.observed_time_unix_nano);
  appender.appendVarchar(record.service);
  appender.appendVarchar(record.level);
  appender.appendTinyInt(levelRank(record.level));
  appender.appendInteger(record.severity_number);
  appender.appendVarchar(record.severity_text);
  appender.appendVarchar(record.message);
  appender.appendVarchar(JSON.stringify(record.body));
  appender.appendVarchar(JSON.stringify(record.attributes));
  appender.appendVarchar(JSON.stringify(record.resource));
  appender.appendVarchar(JSON.stringify(record.scope));
  appendNullable(appender, record.trace_id);
  appendNullable(appender, record.span_id);
  appender.endRow();
}

/** Keeps the first record of each log id, so a batch stores each once. */
function firstOfEachId(records: LogRecord[]): LogRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (seen.has(record.log_id)) return false;
    seen.add(record.log_id);
    return true;
  });
}

async function stage(connection: DuckDBConnection, records: LogRecord[]) {
  await connection.run(STAGING);
  await connection.run('DELETE FROM logs_staging');
  const appender = await connection.createAppender(
    'logs_staging',
    'main',
    'temp',
  );
  try {
    for (const record of records) appendRecord(appender, record);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * Log records in one DuckDB table. Writes go through the appender into a
 * staging table, then an anti-join on `log_id` inserts only new records.
 * DuckDB has no full-text index offline, so search scans the time range.
 */
export class DuckDbLogStore implements LogStore {
  constructor(private readonly db: DuckDb) {}

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  async write(records: LogRecord[]): Promise<WriteResult> {
    const unique = firstOfEachId(records);
    if (unique.length === 0) return { written: 0, duplicates: 0, rejected: [] };

    const written = await this.db.transaction(async (connection) => {
      await stage(connection, unique);
      const result = await connection.run(INSERT_NEW);
      return result.rowsChanged;
    });
    return { written, duplicates: records.length - written, rejected: [] };
  }

  async search(query: LogQuery): Promise<Page<LogRecord>> {
    const { sql, params } = buildLogSearch(query);
    const rows = await this.db.query<Row>(sql, params);
    const items = rows.slice(0, query.limit).map(recordOf);
    const last = items.at(-1);
    if (rows.length <= query.limit || !last) return { items };
    return { items, next_cursor: encodeLogCursor(last) };
  }

  async getTraceLogs(traceId: string, limit: number): Promise<LogRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${LOG_COLUMNS} FROM logs WHERE trace_id = $1
       ORDER BY time_unix_nano, log_id LIMIT $2`,
      [traceId, limit],
    );
    return rows.map(recordOf);
  }

  async levelCounts(query: LogCountQuery): Promise<LogLevelCount[]> {
    const { sql, params } = buildLevelCounts(query);
    const rows = await this.db.query<CountRow>(sql, params);
    return rows.map((row) => ({
      bucket_ms: Number(row.bucket_unix_nano / NANOS_PER_MS),
      level: row.level as LogLevel,
      count: Number(row.count),
    }));
  }
}
