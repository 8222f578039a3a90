/**
 * Building blocks of the Timestream SQL the metric adapter generates.
 * The Query API has no bind parameters, so every name and value from a
 * request goes through {@link quoteIdentifier}, {@link quoteLiteral} or
 * {@link integerLiteral}; everything else in the SQL is a fixed fragment.
 */

/** Quotes a column, database or table name: `"` doubles inside quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal: `'` doubles inside quotes. Nothing else is
 * special inside a Timestream string literal, so comment markers, `;`,
 * backslashes and any Unicode text stay part of the value.
 */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Writes a whole number, refusing anything else as a bug. */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `invalid SQL integer ${value}: expected a safe integer`,
    );
  }
  return String(value);
}

/** Writes a timestamp literal for epoch milliseconds. */
export function timeLiteral(ms: number): string {
  return `from_milliseconds(${integerLiteral(ms)})`;
}

/**
 * Anchors a pattern so that `regexp_like`, which finds a match anywhere,
 * matches the whole value. `\A` and `\z` mean the start and end of the
 * text in Java, RE2 and Joni alike, where `^` and `$` may also match at
 * line breaks.
 */
export function fullMatchPattern(pattern: string): string {
  return `\\A(?:${pattern})\\z`;
}

/** Attribute types that `DESCRIBE` reports for a column. */
export type AttributeType =
  | 'DIMENSION'
  | 'MEASURE_NAME'
  | 'TIMESTAMP'
  | 'MULTI'
  | 'MEASURE_VALUE';

/** One column of a Timestream table as `DESCRIBE` lists it. */
export interface TableColumn {
  name: string;
  /** SQL type in lower case, such as `varchar` or `double`. */
  type: string;
  attribute: AttributeType;
}

/**
 * The columns a table has. Timestream adds a column when a record first
 * carries it, and a query that names a column the table lacks fails, so
 * generated SQL names only the columns listed here.
 */
export class TableSchema {
  private readonly byName: Map<string, TableColumn>;

  constructor(readonly columns: readonly TableColumn[]) {
    this.byName = new Map(columns.map((c) => [c.name, c]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Dimension columns, in the order `DESCRIBE` listed them. */
  dimensions(): string[] {
    return this.columns
      .filter((c) => c.attribute === 'DIMENSION')
      .map((c) => c.name);
  }

  /**
   * SQL for a column: its quoted name when the table has it, else a typed
   * NULL, which is what the column holds for rows that lack it.
   */
  column(name: string, sqlType: string): string {
    return this.has(name) ? quoteIdentifier(name) : `CAST(NULL AS ${sqlType})`;
  }
}

/** Quotes a table reference as `"database"."table"`. */
export function tableReference(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}
