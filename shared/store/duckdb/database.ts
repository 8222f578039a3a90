import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
} from '@duckdb/node-api';
import { StoreError } from '../../errors.js';

/** The file name of the embedded database inside the data directory. */
export const DATABASE_FILE = 'observatory.duckdb';

/**
 * One embedded DuckDB database. Writes run one at a time on a single
 * connection, each in its own transaction, so a batch lands whole or not at
 * all and deduplication by anti-join cannot race another batch. Reads use
 * fresh connections and see the last committed state.
 */
export class DuckDb {
  private writeQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
  ) {}

  /** Opens the database in `dataDir`, or in memory for `':memory:'`. */
  static async open(dataDir: string): Promise<DuckDb> {
    let path = ':memory:';
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true });
      path = join(dataDir, DATABASE_FILE);
    }
    // No TimeZone option: setting it needs the icu extension, which this
    // build does not bundle and cannot download offline. Every store keeps
    // times as epoch integers, so no session time zone applies.
    const instance = await DuckDBInstance.create(path);
    const writer = await instance.connect();
    return new DuckDb(instance, writer);
  }

  /** Runs DDL and other statements outside any batch, in order. */
  async exec(sql: string): Promise<void> {
    await this.enqueue(() => this.writer.run(sql));
  }

  /** Runs `work` in one transaction on the writer connection, serialized. */
  transaction<T>(work: (connection: DuckDBConnection) => Promise<T>) {
    return this.enqueue(async () => {
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const result = await work(this.writer);
        await this.writer.run('COMMIT');
        return result;
      } catch (error) {
        await this.writer.run('ROLLBACK');
        throw error;
      }
    });
  }

  /** Runs a read-only query and returns its rows as objects. */
  async query<T = Record<string, DuckDBValue>>(
    sql: string,
    params: DuckDBValue[] | Record<string, DuckDBValue> = [],
  ): Promise<T[]> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjects() as T[];
    } catch (error) {
      throw new StoreError(`DuckDB query failed: ${describe(error)}`, error);
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.writeQueue.catch(() => undefined);
    this.writer.closeSync();
    this.instance.closeSync();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(work, work);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
