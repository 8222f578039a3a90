import type { ConfigItem, ConfigStore, Page } from '../ports.js';
import type { DuckDb } from './database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS config_items (
  kind VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  value JSON NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (kind, id)
)`;

interface Row {
  kind: string;
  id: string;
  value: string;
  updated_ms: bigint;
}

function toItem<T>(row: Row): ConfigItem<T> {
  return {
    kind: row.kind,
    id: row.id,
    value: JSON.parse(row.value) as T,
    updated_ms: Number(row.updated_ms),
  };
}

/** Configuration documents in one DuckDB table keyed by kind and id. */
export class DuckDbConfigStore implements ConfigStore {
  constructor(
    private readonly db: DuckDb,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
  }

  async put<T>(kind: string, id: string, value: T): Promise<void> {
    await this.db.transaction((connection) =>
      connection.run(
        `INSERT OR REPLACE INTO config_items VALUES ($1, $2, $3, $4)`,
        [kind, id, JSON.stringify(value), BigInt(this.now())],
      ),
    );
  }

  async get<T>(kind: string, id: string) {
    const rows = await this.db.query<Row>(
      `SELECT kind, id, value::VARCHAR AS value, updated_ms
       FROM config_items WHERE kind = $1 AND id = $2`,
      [kind, id],
    );
    return rows[0] ? toItem<T>(rows[0]) : undefined;
  }

  async list<T>(
    kind: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<ConfigItem<T>>> {
    const after = options.cursor
      ? Buffer.from(options.cursor, 'base64url').toString('utf8')
      : '';
    const rows = await this.db.query<Row>(
      `SELECT kind, id, value::VARCHAR AS value, updated_ms
       FROM config_items WHERE kind = $1 AND id > $2
       ORDER BY id LIMIT $3`,
      [kind, after, options.limit + 1],
    );
    const items = rows.slice(0, options.limit).map((row) => toItem<T>(row));
    const last = items.at(-1);
    if (rows.length <= options.limit || !last) return { items };
    return {
      items,
      next_cursor: Buffer.from(last.id, 'utf8').toString('base64url'),
    };
  }

  async delete(kind: string, id: string): Promise<boolean> {
    const existing = await this.get(kind, id);
    if (!existing) return false;
    await this.db.transaction((connection) =>
      connection.run(`DELETE FROM config_items WHERE kind = $1 AND id = $2`, [
        kind,
        id,
      ]),
    );
    return true;
  }
}
