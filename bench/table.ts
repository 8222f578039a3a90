/** One column of a printed table. */
export interface Column<T> {
  header: string;
  value(row: T): string | number;
  /** Digits after the decimal point for numbers; 0 by default. */
  digits?: number;
}

function cellText<T>(column: Column<T>, row: T): string {
  const value = column.value(row);
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: column.digits ?? 0,
    maximumFractionDigits: column.digits ?? 0,
  });
}

/**
 * Renders rows as a Markdown table with padded cells, so it reads in a
 * terminal and pastes into BENCHMARKS.md as it is. Numbers are right
 * aligned.
 */
export function markdownTable<T>(columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c, row)));
  const numeric = columns.map((column) =>
    rows.every((row) => typeof column.value(row) === 'number'),
  );
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (texts: string[]) =>
    `| ${texts
      .map((text, i) =>
        numeric[i]
          ? text.padStart(widths[i] ?? 0)
          : text.padEnd(widths[i] ?? 0),
      )
      .join(' | ')} |`;
  const rule = `|${widths
    .map((width, i) =>
      numeric[i] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2),
    )
    .join('|')}|`;
  return [line(columns.map((c) => c.header)), rule, ...cells.map(line)].join(
    '\n',
  );
}
