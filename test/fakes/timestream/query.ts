import { randomUUID } from 'node:crypto';
import {
  type DuckDBConnection,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { validation } from './errors.js';
import type { FakeTable } from './table.js';
import { type TranslateContext, tokenize, translate } from './translate.js';

/** One cell of a Query response row. */
type Datum = { ScalarValue: string } | { NullValue: true };

/** A result set: columns as Timestream describes them, and every row. */
export interface ResultSet {
  columns: { Name: string; Type: { ScalarType: string } }[];
  rows: Datum[][];
}

/** Maps a DuckDB column type to a Timestream scalar type. */
function scalarType(type: DuckDBType): string {
  const name = type.toString();
  if (name === 'DOUBLE' || name === 'FLOAT' || name.startsWith('DECIMAL')) {
    return 'DOUBLE';
  }
  if (['BIGINT', 'HUGEINT', 'UBIGINT', 'INTEGER', 'SMALLINT'].includes(name)) {
    return 'BIGINT';
  }
  if (name === 'BOOLEAN') return 'BOOLEAN';
  if (name.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** Formats a timestamp as Timestream does: nanoseconds, no zone. */
export function formatTimestamp(micros: bigint): string {
  const ms = Number(micros / 1_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const nanos = (micros % 1_000_000n) * 1_000n;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(nanos).padStart(9, '0')}`;
}

function datumOf(value: DuckDBValue, type: string): Datum {
  if (value === null) return { NullValue: true };
  if (value instanceof DuckDBTimestampValue) {
    return { ScalarValue: formatTimestamp(value.micros) };
  }
  if (type === 'DOUBLE') return { ScalarValue: String(Number(value)) };
  return { ScalarValue: String(value) };
}

/** Lists a table's columns in the shape of Timestream's `DESCRIBE`. */
function describe(table: FakeTable): ResultSet {
  const varchar = { ScalarType: 'VARCHAR' };
  return {
    columns: [
      { Name: 'Column', Type: varchar },
      { Name: 'Type', Type: varchar },
      { Name: 'Timestream attribute type', Type: varchar },
    ],
    rows: [...table.columns.values()].map((c) => [
      { ScalarValue: c.name },
      { ScalarValue: c.type },
      { ScalarValue: c.attribute },
    ]),
  };
}

const unquote = (text: string) =>
  text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;

/** Finds the table a `DESCRIBE db.table` names, or undefined for other SQL. */
function describedTable(
  sql: string,
  tables: (db: string, t: string) => FakeTable | undefined,
) {
  const tokens = tokenize(sql).filter((t) => t.kind !== 'space');
  if (tokens[0]?.text.toUpperCase() !== 'DESCRIBE') return undefined;
  const [, database, dot, table, ...rest] = tokens;
  if (!database || dot?.text !== '.' || !table || rest.length > 0) {
    throw validation('DESCRIBE expects "database"."table"');
  }
  const found = tables(unquote(database.text), unquote(table.text));
  if (!found) {
    throw validation(
      `line 1:10: Table ${unquote(database.text)}.${unquote(table.text)} does not exist`,
    );
  }
  return found;
}

/**
 * Runs one Timestream query: `DESCRIBE` from the fake's schema, anything
 * else translated to DuckDB SQL (see `translate.ts`) and run on the
 * fake's database. A statement DuckDB rejects is a ValidationException
 * carrying DuckDB's message.
 */
export async function runStatement(
  connection: DuckDBConnection,
  sql: string,
  context: TranslateContext & {
    table(database: string, table: string): FakeTable | undefined;
  },
): Promise<ResultSet> {
  const described = describedTable(sql, context.table);
  if (described) return describe(described);
  const duckSql = translate(sql, context);
  let reader: Awaited<ReturnType<DuckDBConnection['runAndReadAll']>>;
  try {
    reader = await connection.runAndReadAll(duckSql);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw validation(`Query failed: ${reason}`);
  }
  const types = reader.columnTypes().map(scalarType);
  const columns = reader.columnNames().map((name, i) => ({
    Name: name,
    Type: { ScalarType: types[i] as string },
  }));
  const rows = reader
    .getRows()
    .map((row) => row.map((value, i) => datumOf(value, types[i] as string)));
  return { columns, rows };
}

/** A result being read page by page with NextToken. */
interface OpenResult {
  queryId: string;
  sql: string;
  result: ResultSet;
  offset: number;
  emptyPagesLeft: number;
}

/**
 * Pages results as the Query API does: each response carries at most
 * `pageSize` rows (or `MaxRows`), and a `NextToken` while rows remain.
 * A continuation must repeat the query string of the first request.
 */
export class ResultPager {
  private readonly open = new Map<string, OpenResult>();

  constructor(
    private readonly pageSize: number,
    private readonly emptyPagesFirst: number,
  ) {}

  start(sql: string, result: ResultSet, maxRows?: number) {
    const entry: OpenResult = {
      queryId: randomUUID(),
      sql,
      result,
      offset: 0,
      emptyPagesLeft: this.emptyPagesFirst,
    };
    return this.page(entry, maxRows);
  }

  next(token: string, sql: string, maxRows?: number) {
    const entry = this.open.get(token);
    this.open.delete(token);
    if (!entry) throw validation('The NextToken is invalid or has expired.');
    if (entry.sql !== sql) {
      throw validation(
        'The QueryString must match the query that issued the NextToken.',
      );
    }
    return this.page(entry, maxRows);
  }

  private page(entry: OpenResult, maxRows?: number) {
    let rows: Datum[][] = [];
    if (entry.emptyPagesLeft > 0) {
      entry.emptyPagesLeft--;
    } else {
      const size = Math.min(maxRows ?? this.pageSize, this.pageSize);
      rows = entry.result.rows.slice(entry.offset, entry.offset + size);
      entry.offset += rows.length;
    }
    const more = entry.offset < entry.result.rows.length;
    let nextToken: string | undefined;
    if (more) {
      nextToken = randomUUID();
      this.open.set(nextToken, entry);
    }
    return {
      QueryId: entry.queryId,
      ColumnInfo: entry.result.columns,
      Rows: rows.map((Data) => ({ Data })),
      ...(nextToken ? { NextToken: nextToken } : {}),
      QueryStatus: {
        ProgressPercentage: more
          ? (100 * entry.offset) / entry.result.rows.length
          : 100,
        CumulativeBytesScanned: 0,
        CumulativeBytesMetered: 0,
      },
    };
  }
}
