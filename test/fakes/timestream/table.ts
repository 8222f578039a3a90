import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { quoteIdentifier } from '#shared/store/aws/timestream/sql.js';

/** How `DESCRIBE` classifies a column. */
export type Attribute =
  | 'DIMENSION'
  | 'MEASURE_NAME'
  | 'TIMESTAMP'
  | 'MULTI'
  | 'MEASURE_VALUE';

/** A Timestream column as `DESCRIBE` lists it. */
export interface Column {
  name: string;
  /** Timestream type in lower case, as `DESCRIBE` prints it. */
  type: string;
  attribute: Attribute;
}

/** A record after the fake checked it, ready to store. */
export interface StoredRecord {
  key: string;
  measureName: string;
  /** Microseconds since the Unix epoch. */
  timeUs: bigint;
  dimensions: Map<string, string>;
  /** Measure column name and value, typed for DuckDB. */
  measures: Map<string, DuckDBValue>;
  /** Text that is equal for two records with equal measure values. */
  fingerprint: string;
  version: number;
}

/** Collects positional parameters and returns their placeholders. */
function parameters() {
  const values: DuckDBValue[] = [];
  return {
    values,
    add(value: DuckDBValue): string {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

const DUCK_TYPES: Record<string, string> = {
  varchar: 'VARCHAR',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/**
 * One Timestream table in the fake's DuckDB database. Rows live in
 * `<name>_rows` with a hidden `__key` column; queries read the view
 * `<name>`, which has every column but `__key`. Columns are added when a
 * record first carries them, as Timestream's schema grows on write.
 */
export class FakeTable {
  readonly columns = new Map<string, Column>();
  /** Version and measure fingerprint of each stored record, by key. */
  readonly versions = new Map<
    string,
    { version: number; fingerprint: string }
  >();

  private constructor(
    readonly database: string,
    readonly table: string,
    readonly view: string,
  ) {}

  static async create(
    connection: DuckDBConnection,
    database: string,
    table: string,
    view: string,
  ): Promise<FakeTable> {
    const created = new FakeTable(database, table, view);
    await connection.run(
      `CREATE TABLE ${view}_rows (__key VARCHAR, measure_name VARCHAR, ` +
        'time TIMESTAMP)',
    );
    created.columns.set('measure_name', {
      name: 'measure_name',
      type: 'varchar',
      attribute: 'MEASURE_NAME',
    });
    created.columns.set('time', {
      name: 'time',
      type: 'timestamp',
      attribute: 'TIMESTAMP',
    });
    await created.refreshView(connection);
    return created;
  }

  /** Adds a column unless the table has it. */
  async addColumn(connection: DuckDBConnection, column: Column): Promise<void> {
    if (this.columns.has(column.name)) return;
    const duckType = DUCK_TYPES[column.type] ?? 'VARCHAR';
    await connection.run(
      `ALTER TABLE ${this.view}_rows ADD COLUMN ` +
        `${quoteIdentifier(column.name)} ${duckType}`,
    );
    this.columns.set(column.name, column);
    await this.refreshView(connection);
  }

  private async refreshView(connection: DuckDBConnection): Promise<void> {
    await connection.run(
      `CREATE OR REPLACE VIEW ${this.view} AS ` +
        `SELECT * EXCLUDE (__key) FROM ${this.view}_rows`,
    );
  }

  /** Stores records, replacing any stored record with the same key. */
  async store(
    connection: DuckDBConnection,
    records: readonly StoredRecord[],
  ): Promise<void> {
    if (records.length === 0) return;
    const names = [...this.columns.keys()].filter(
      (name) => name !== 'measure_name' && name !== 'time',
    );
    const insert = parameters();
    const rows = records.map((record) => {
      const cells = [
        insert.add(record.key),
        insert.add(record.measureName),
        `make_timestamp(${insert.add(record.timeUs)}::BIGINT)`,
        ...names.map((name) =>
          insert.add(
            record.dimensions.get(name) ?? record.measures.get(name) ?? null,
          ),
        ),
      ];
      return `(${cells.join(', ')})`;
    });
    const remove = parameters();
    const keys = records.map((record) => remove.add(record.key));
    await connection.run(
      `DELETE FROM ${this.view}_rows WHERE __key IN (${keys.join(', ')})`,
      remove.values,
    );
    const columns = [
      '__key',
      'measure_name',
      'time',
      ...names.map(quoteIdentifier),
    ];
    await connection.run(
      `INSERT INTO ${this.view}_rows (${columns.join(', ')}) VALUES ` +
        rows.join(', '),
      insert.values,
    );
    for (const record of records) {
      this.versions.set(record.key, {
        version: record.version,
        fingerprint: record.fingerprint,
      });
    }
  }
}
