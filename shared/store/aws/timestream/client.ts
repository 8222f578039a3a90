import {
  type ColumnInfo,
  type Datum,
  QueryCommand,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { AwsConfig } from '#shared/config.js';
import { StoreError } from '#shared/errors.js';
import { type RetryOptions, withThrottlingRetry } from './retry.js';
import type { Cell, Row } from './rows.js';

/** The two Timestream clients the metric adapter uses. */
export interface TimestreamClients {
  write: TimestreamWriteClient;
  query: TimestreamQueryClient;
}

/**
 * Builds the write and query clients. The adapter retries throttled calls
 * itself, so the SDK makes one attempt per call. With an endpoint
 * override the SDK skips endpoint discovery (DescribeEndpoints), so a
 * local fake answers every call; without one it discovers the cell
 * endpoints as Timestream requires.
 */
export function createTimestreamClients(aws: AwsConfig): TimestreamClients {
  const common = { region: aws.region, maxAttempts: 1 };
  const write = aws.endpoints.timestreamWrite;
  const query = aws.endpoints.timestreamQuery;
  return {
    write: new TimestreamWriteClient({
      ...common,
      ...(write ? { endpoint: write } : {}),
    }),
    query: new TimestreamQueryClient({
      ...common,
      ...(query ? { endpoint: query } : {}),
    }),
  };
}

/** Names an AWS SDK error and its message for a StoreError. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message}`;
}

function cellOf(
  column: ColumnInfo | undefined,
  datum: Datum | undefined,
): Cell {
  if (!datum || datum.NullValue || datum.ScalarValue === undefined) {
    return null;
  }
  const value = datum.ScalarValue;
  switch (column?.Type?.ScalarType) {
    case 'BIGINT':
    case 'INTEGER':
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return value === 'true';
    default:
      return value;
  }
}

/**
 * Runs a query and reads every page: Timestream returns a `NextToken`
 * while rows remain, and a page may be empty while the query still runs.
 * Scalar cells are parsed by their column type; others come back as null.
 */
export async function runQuery(
  client: TimestreamQueryClient,
  sql: string,
  retry: RetryOptions,
): Promise<Row[]> {
  const rows: Row[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await withThrottlingRetry(
      () =>
        client.send(
          new QueryCommand({
            QueryString: sql,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      retry,
    ).catch((error: unknown) => {
      throw new StoreError(
        `Timestream query failed: ${describeAwsError(error)}`,
        error,
      );
    });
    const columns = page.ColumnInfo ?? [];
    for (const row of page.Rows ?? []) {
      const data = row.Data ?? [];
      const cells: Row = {};
      columns.forEach((column, i) => {
        cells[column.Name ?? `_${i}`] = cellOf(column, data[i]);
      });
      rows.push(cells);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
}
