import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Clock, systemClock } from '#shared/clock.js';
import {
  notFound,
  TimestreamFakeError,
  throttling,
  validation,
} from './errors.js';
import { ResultPager, runStatement } from './query.js';
import { FakeTable } from './table.js';
import {
  applyRecords,
  checkRequest,
  mergeRecord,
  type WireRecord,
} from './write.js';

/** A request the fake received, as the tests inspect it. */
export interface RecordedRequest {
  /** The operation from `X-Amz-Target`, such as `WriteRecords`. */
  operation: string;
  body: Record<string, any>;
}

export interface TimestreamFakeOptions {
  /** Tables to create, as `[database, table]` pairs. */
  tables: [string, string][];
  clock?: Clock;
  memoryRetentionHours?: number;
  magneticWrites?: boolean;
  /** Rows per Query page; Timestream pages by size, the fake by count. */
  pageSize?: number;
  /** Empty pages with a NextToken before a result's first rows. */
  emptyPagesFirst?: number;
  /** Delay before each response, so concurrent calls overlap. */
  latencyMs?: number;
}

/** A running fake of the Timestream Write and Query JSON APIs. */
export interface TimestreamFake {
  /** `http://127.0.0.1:<port>`, for both clients' endpoint overrides. */
  endpoint: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Lists the requests of one operation. */
  requestsOf(operation: string): RecordedRequest[];
  /** Throttles the next `count` calls of `operation`. */
  throttle(operation: string, count: number): void;
  /** The maximum number of `operation` calls open at one time. */
  maxInFlight(operation: string): number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'Timestream_20181101.';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
}

/**
 * Starts the fake on 127.0.0.1 with a free port. It speaks the AWS JSON
 * 1.0 protocol of Timestream Write and Query (operation in
 * `X-Amz-Target`, errors as `__type` and `Message`), keeps records in an
 * in-memory DuckDB database and serves WriteRecords, Query and
 * DescribeEndpoints. It does not check signatures.
 */
export async function startTimestreamFake(
  options: TimestreamFakeOptions,
): Promise<TimestreamFake> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const tables = new Map<string, FakeTable>();
  for (const [i, [database, table]] of options.tables.entries()) {
    const created = await FakeTable.create(
      connection,
      database,
      table,
      `ts_${i}`,
    );
    tables.set(JSON.stringify([database, table]), created);
  }
  const clock = options.clock ?? systemClock;
  const pager = new ResultPager(
    options.pageSize ?? 1_000,
    options.emptyPagesFirst ?? 0,
  );
  const requests: RecordedRequest[] = [];
  const throttled = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();
  const findTable = (database: string, table: string) =>
    tables.get(JSON.stringify([database, table]));

  const operations: Record<
    string,
    (body: any, endpoint: string) => Promise<unknown>
  > = {
    DescribeEndpoints: async (_body, endpoint) => ({
      Endpoints: [
        { Address: new URL(endpoint).host, CachePeriodInMinutes: 1440 },
      ],
    }),
    WriteRecords: (body) =>
      writeRecords(connection, findTable, body, {
        nowMs: clock.now(),
        memoryRetentionHours: options.memoryRetentionHours ?? 24,
        magneticWrites: options.magneticWrites ?? false,
      }),
    Query: async (body) => {
      const sql = body.QueryString;
      if (typeof sql !== 'string' || sql.length === 0) {
        throw validation('QueryString is required.');
      }
      if (body.NextToken) return pager.next(body.NextToken, sql, body.MaxRows);
      const result = await runStatement(connection, sql, {
        nowMs: clock.now(),
        table: findTable,
        view: (database, table) => findTable(database, table)?.view,
      });
      return pager.start(sql, result, body.MaxRows);
    },
  };

  const server = createServer(async (request, response) => {
    const text = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : target;
    const body = text ? JSON.parse(text) : {};
    requests.push({ operation, body });
    const open = (inFlight.get(operation) ?? 0) + 1;
    inFlight.set(operation, open);
    maxInFlight.set(operation, Math.max(open, maxInFlight.get(operation) ?? 0));
    const endpoint = `http://${request.headers.host}`;
    // One call at a time, as the DuckDB connection is shared.
    const work = queue.then(async () => {
      const left = throttled.get(operation) ?? 0;
      if (left > 0) {
        throttled.set(operation, left - 1);
        throw throttling();
      }
      const handler = operations[operation];
      if (!handler) {
        throw new TimestreamFakeError(
          'UnknownOperationException',
          400,
          `The fake does not implement ${target || 'a missing X-Amz-Target'}`,
        );
      }
      return handler(body, endpoint);
    });
    queue = work.catch(() => undefined);
    const settled = await work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0));
    inFlight.set(operation, (inFlight.get(operation) ?? 1) - 1);
    try {
      if ('error' in settled) throw settled.error;
      send(response, 200, settled.value);
    } catch (error) {
      if (error instanceof TimestreamFakeError)
        send(response, error.status, error.body());
      else
        send(response, 500, {
          __type: 'InternalServerException',
          Message: String(error),
        });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    requestsOf: (operation) =>
      requests.filter((r) => r.operation === operation),
    throttle: (operation, count) => throttled.set(operation, count),
    maxInFlight: (operation) => maxInFlight.get(operation) ?? 0,
    close: async () => {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      connection.closeSync();
      instance.closeSync();
    },
  };
}

async function writeRecords(
  connection: DuckDBConnection,
  findTable: (database: string, table: string) => FakeTable | undefined,
  body: any,
  policy: {
    nowMs: number;
    memoryRetentionHours: number;
    magneticWrites: boolean;
  },
) {
  const table = findTable(body.DatabaseName, body.TableName);
  if (!table) {
    throw notFound(
      `The table ${body.TableName} in ${body.DatabaseName} does not exist.`,
    );
  }
  const common: WireRecord = body.CommonAttributes ?? {};
  const records = ((body.Records ?? []) as WireRecord[]).map((r) =>
    mergeRecord(common, r),
  );
  checkRequest(records);
  const ingested = await applyRecords(
    table,
    records,
    policy,
    async (stored, columns) => {
      for (const column of columns) await table.addColumn(connection, column);
      await table.store(connection, stored);
    },
  );
  return {
    RecordsIngested: {
      Total: ingested,
      MemoryStore: ingested,
      MagneticStore: 0,
    },
  };
}
