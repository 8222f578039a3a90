import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * Rows copied out of a store's table, with JSON, MAP and list columns as
 * text, ready to append again. This is the floor the store is compared
 * with: the same rows and values, appended to a table of the same
 * columns, with no staging, deduplication or conversion.
 */
export interface PlainRows {
  table: string;
  columns: { name: string; sqlType: string }[];
  types: DuckDBType[];
  rows: DuckDBValue[][];
}

/** SQL types the appender takes as they are; others travel as text. */
const DIRECT_TYPES = new Set([
  'VARCHAR',
  'BIGINT',
  'UBIGINT',
  'INTEGER',
  'TINYINT',
  'DOUBLE',
  'BOOLEAN',
]);

/** Reads the rows of `table` in storage order, non-plain columns as text. */
export async function readPlainRows(
  connection: DuckDBConnection,
  table: string,
): Promise<PlainRows> {
  const described = await connection.runAndReadAll(`DESCRIBE ${table}`);
  const columns = described.getRowObjects().map((row) => {
    const type = String(row.column_type);
    return {
      name: String(row.column_name),
      sqlType: DIRECT_TYPES.has(type) ? type : 'VARCHAR',
    };
  });
  const select = columns
    .map((c) => `${c.name}::${c.sqlType} AS ${c.name}`)
    .join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT ${select} FROM ${table}`,
  );
  return {
    table,
    columns,
    types: reader.columnTypes(),
    rows: reader.getRows() as DuckDBValue[][],
  };
}

/** Creates an empty table with the columns of `rows`. */
export async function createPlainTable(
  connection: DuckDBConnection,
  name: string,
  rows: PlainRows,
): Promise<void> {
  const columns = rows.columns.map((c) => `${c.name} ${c.sqlType}`);
  await connection.run(`DROP TABLE IF EXISTS ${name}`);
  await connection.run(`CREATE TABLE ${name} (${columns.join(', ')})`);
}

type AppendValue = (appender: DuckDBAppender, value: DuckDBValue) => void;

const APPENDERS: Record<string, AppendValue> = {
  VARCHAR: (a, v) => a.appendVarchar(v as string),
  BIGINT: (a, v) => a.appendBigInt(v as bigint),
  UBIGINT: (a, v) => a.appendUBigInt(v as bigint),
  INTEGER: (a, v) => a.appendInteger(v as number),
  TINYINT: (a, v) => a.appendTinyInt(v as number),
  DOUBLE: (a, v) => a.appendDouble(v as number),
  BOOLEAN: (a, v) => a.appendBoolean(v as boolean),
};

/** Appends rows one value at a time, as the stores' appenders do. */
export async function appendPerValue(
  connection: DuckDBConnection,
  table: string,
  plain: PlainRows,
  rows: DuckDBValue[][],
): Promise<void> {
  const append = plain.columns.map((c) => APPENDERS[c.sqlType] as AppendValue);
  const appender = await connection.createAppender(table);
  for (const row of rows) {
    for (const [i, value] of row.entries()) {
      if (value === null) appender.appendNull();
      else (append[i] as AppendValue)(appender, value);
    }
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2_048;

/** Appends rows one data chunk (2,048 rows) at a time. */
export async function appendDataChunks(
  connection: DuckDBConnection,
  table: string,
  plain: PlainRows,
  rows: DuckDBValue[][],
): Promise<void> {
  const appender = await connection.createAppender(table);
  for (let first = 0; first < rows.length; first += CHUNK_ROWS) {
    const slice = rows.slice(first, first + CHUNK_ROWS);
    const columns = plain.columns.map((_, i) => slice.map((row) => row[i]));
    const chunk = DuckDBDataChunk.create(plain.types, slice.length);
    chunk.setColumns(columns as DuckDBValue[][]);
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
}
