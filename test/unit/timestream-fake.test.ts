import {
  QueryCommand,
  type QueryCommandOutput,
  ValidationException as QueryValidationException,
  TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import {
  type _Record,
  RejectedRecordsException,
  ResourceNotFoundException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  startTimestreamFake,
  type TimestreamFake,
} from '#test/fakes/timestream/server.js';
import { translate } from '#test/fakes/timestream/translate.js';

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
const MINUTE = 60_000;

let fake: TimestreamFake;
let writer: TimestreamWriteClient;
let reader: TimestreamQueryClient;
let table: string;
let tableCount = 0;
const fakes: TimestreamFake[] = [];

beforeEach(async () => {
  // A new table per test keeps tests apart without a new fake each time.
  tableCount++;
  table = `t${tableCount}`;
  fake = await startTimestreamFake({
    tables: [['db', table]],
    clock: fixedClock(NOW),
    pageSize: 2,
  });
  fakes.push(fake);
  const config = {
    region: 'us-east-1',
    endpoint: fake.endpoint,
    maxAttempts: 1,
  };
  writer = new TimestreamWriteClient(config);
  reader = new TimestreamQueryClient(config);
});

afterAll(async () => {
  for (const running of fakes) await running.close();
});

function record(
  host: string,
  value: number,
  overrides: Partial<_Record> = {},
): _Record {
  return {
    Dimensions: [{ Name: 'host', Value: host }],
    MeasureName: 'cpu',
    MeasureValue: String(value),
    MeasureValueType: 'DOUBLE',
    Time: String(NOW - MINUTE),
    TimeUnit: 'MILLISECONDS',
    ...overrides,
  };
}

const write = (records: _Record[]) =>
  writer.send(
    new WriteRecordsCommand({
      DatabaseName: 'db',
      TableName: table,
      Records: records,
    }),
  );

/** Runs a query and returns every page's rows as scalar text. */
async function rows(sql: string): Promise<(string | null)[][]> {
  const all: (string | null)[][] = [];
  let token: string | undefined;
  do {
    const page: QueryCommandOutput = await reader.send(
      new QueryCommand({ QueryString: sql, NextToken: token }),
    );
    for (const row of page.Rows ?? []) {
      all.push(
        (row.Data ?? []).map((d) =>
          d.NullValue ? null : (d.ScalarValue ?? null),
        ),
      );
    }
    token = page.NextToken;
  } while (token);
  return all;
}

async function rejectionOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RejectedRecordsException);
  return (error as RejectedRecordsException).RejectedRecords ?? [];
}

describe('Timestream fake protocol', () => {
  it('answers DescribeEndpoints with its own address', async () => {
    const response = await fetch(fake.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'Timestream_20181101.DescribeEndpoints',
      },
      body: '{}',
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/x-amz-json-1.0',
    );
    expect(await response.json()).toEqual({
      Endpoints: [
        { Address: new URL(fake.endpoint).host, CachePeriodInMinutes: 1440 },
      ],
    });
  });

  it('rejects an unknown operation', async () => {
    const response = await fetch(fake.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Timestream_20181101.CreateTable' },
      body: '{}',
    });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { __type: string };
    expect(body.__type).toMatch(/#UnknownOperationException$/);
  });

  it('records every request with its operation', async () => {
    await write([record('a', 1)]);

    expect(fake.requests.map((r) => r.operation)).toEqual(['WriteRecords']);
    expect(fake.requests[0]?.body.Records).toHaveLength(1);
  });
});

describe('Timestream fake WriteRecords', () => {
  it('rejects more than 100 records in one call', async () => {
    const records = Array.from({ length: 101 }, (_, i) => record(`h${i}`, i));

    await expect(write(records)).rejects.toBeInstanceOf(ValidationException);
  });

  it('rejects an unknown table', async () => {
    const call = writer.send(
      new WriteRecordsCommand({
        DatabaseName: 'db',
        TableName: 'nope',
        Records: [record('a', 1)],
      }),
    );

    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects a record without dimensions', async () => {
    await expect(write([record('a', 1, { Dimensions: [] })])).rejects.toThrow(
      'At least one dimension is required',
    );
  });

  it('rejects a different value for a stored record', async () => {
    await write([record('a', 0.5)]);

    const rejected = await rejectionOf(
      write([record('b', 1), record('a', 0.7)]),
    );

    expect(rejected).toEqual([
      expect.objectContaining({ RecordIndex: 1, ExistingVersion: 1 }),
    ]);
    expect(
      await rows(
        `SELECT host, measure_value::double FROM "db"."${table}" ORDER BY host`,
      ),
    ).toEqual([
      ['a', '0.5'],
      ['b', '1'],
    ]);
  });

  it('accepts the same value again and a higher Version', async () => {
    await write([record('a', 0.5)]);

    await write([record('a', 0.5)]);
    await write([record('a', 0.7, { Version: 2 })]);

    expect(
      await rows(`SELECT measure_value::double FROM "db"."${table}"`),
    ).toEqual([['0.7']]);
  });

  it('rejects a record above 2 KB and stores the rest', async () => {
    const big = record('x'.repeat(2_100), 1);

    const rejected = await rejectionOf(write([record('a', 1), big]));

    expect(rejected).toEqual([
      expect.objectContaining({
        RecordIndex: 1,
        Reason: expect.stringContaining('above 2 KB'),
      }),
    ]);
    expect(await rows(`SELECT host FROM "db"."${table}"`)).toEqual([['a']]);
  });

  it.each([
    ['older than the memory store', NOW - 25 * 60 * MINUTE],
    ['more than 15 minutes ahead', NOW + 16 * MINUTE],
  ])('rejects a record %s', async (_case, time) => {
    const rejected = await rejectionOf(
      write([record('a', 1, { Time: String(time) })]),
    );

    expect(rejected[0]?.Reason).toContain('outside the time range');
  });

  it.each(['NaN', 'Infinity', ''])(
    'rejects the DOUBLE value %j',
    async (value) => {
      const rejected = await rejectionOf(
        write([record('a', 1, { MeasureValue: value })]),
      );

      expect(rejected[0]?.RecordIndex).toBe(0);
    },
  );

  it.each(['time', 'ts_host', 'a:b', 'measure_value_x', 'x'.repeat(61)])(
    'rejects the dimension name %s',
    async (name) => {
      const rejected = await rejectionOf(
        write([record('a', 1, { Dimensions: [{ Name: name, Value: 'v' }] })]),
      );

      expect(rejected[0]?.Reason).toContain('invalid dimension name');
    },
  );

  it('merges CommonAttributes and rejects overlapping dimensions', async () => {
    const common = {
      Dimensions: [{ Name: 'host', Value: 'a' }],
      MeasureName: 'cpu',
      MeasureValueType: 'DOUBLE' as const,
    };
    await writer.send(
      new WriteRecordsCommand({
        DatabaseName: 'db',
        TableName: table,
        CommonAttributes: common,
        Records: [{ MeasureValue: '2', Time: String(NOW) }],
      }),
    );
    const overlap = writer.send(
      new WriteRecordsCommand({
        DatabaseName: 'db',
        TableName: table,
        CommonAttributes: common,
        Records: [record('b', 1)],
      }),
    );

    await expect(overlap).rejects.toBeInstanceOf(ValidationException);
    expect(
      await rows(`SELECT host, measure_name FROM "db"."${table}"`),
    ).toEqual([['a', 'cpu']]);
  });
  it("takes a record's own fields over CommonAttributes", async () => {
    await writer.send(
      new WriteRecordsCommand({
        DatabaseName: 'db',
        TableName: table,
        CommonAttributes: {
          MeasureName: 'cpu',
          MeasureValueType: 'DOUBLE',
          Time: String(NOW),
        },
        Records: [
          { Dimensions: [{ Name: 'host', Value: 'a' }], MeasureValue: '1' },
          {
            Dimensions: [{ Name: 'host', Value: 'b' }],
            MeasureName: 'mem',
            MeasureValue: '2',
            Time: String(NOW - MINUTE),
          },
        ],
      }),
    );

    expect(
      await rows(
        `SELECT host, measure_name, to_milliseconds(time) ` +
          `FROM "db"."${table}" ORDER BY host`,
      ),
    ).toEqual([
      ['a', 'cpu', String(NOW)],
      ['b', 'mem', String(NOW - MINUTE)],
    ]);
  });
});

describe('Timestream fake Query', () => {
  beforeEach(async () => {
    await write([
      record('a', 1, { Time: String(NOW - 3 * MINUTE) }),
      record('a', 3, { Time: String(NOW - 2 * MINUTE) }),
      record('b', 10, { Time: String(NOW - 2 * MINUTE) }),
    ]);
  });

  it('describes the columns with their attribute types', async () => {
    expect(await rows(`DESCRIBE "db"."${table}"`)).toEqual([
      ['measure_name', 'varchar', 'MEASURE_NAME'],
      ['time', 'timestamp', 'TIMESTAMP'],
      ['host', 'varchar', 'DIMENSION'],
      ['measure_value::double', 'double', 'MEASURE_VALUE'],
    ]);
  });

  it('runs bin, to_milliseconds and aggregates', async () => {
    const sql = `SELECT host, to_milliseconds(bin(time, 5m)) AS b,
      avg(measure_value::double) FROM "db"."${table}"
      WHERE time >= ago(1h) GROUP BY host, bin(time, 5m) ORDER BY host`;

    const bucket = String(
      Math.floor((NOW - 3 * MINUTE) / (5 * MINUTE)) * 5 * MINUTE,
    );
    expect(await rows(sql)).toEqual([
      ['a', bucket, '2'],
      ['b', bucket, '10'],
    ]);
  });

  it('formats timestamps with nanoseconds and nulls as NullValue', async () => {
    const result = await reader.send(
      new QueryCommand({
        QueryString: `SELECT from_milliseconds(${NOW}) AS t, CAST(NULL AS VARCHAR) AS n`,
      }),
    );

    expect(result.ColumnInfo?.map((c) => c.Type?.ScalarType)).toEqual([
      'TIMESTAMP',
      'VARCHAR',
    ]);
    expect(result.Rows?.[0]?.Data).toEqual([
      { ScalarValue: '2030-01-02 03:04:05.678000000' },
      { NullValue: true },
    ]);
  });

  it('pages rows with NextToken', async () => {
    const first = await reader.send(
      new QueryCommand({
        QueryString: `SELECT host FROM "db"."${table}"`,
        MaxRows: 1,
      }),
    );

    expect(first.Rows).toHaveLength(1);
    expect(first.NextToken).toBeTypeOf('string');
    expect(
      await rows(`SELECT host FROM "db"."${table}" ORDER BY host`),
    ).toHaveLength(3);
  });

  it('rejects a NextToken with another query string', async () => {
    const first = await reader.send(
      new QueryCommand({
        QueryString: `SELECT host FROM "db"."${table}"`,
        MaxRows: 1,
      }),
    );

    const next = reader.send(
      new QueryCommand({ QueryString: 'SELECT 1', NextToken: first.NextToken }),
    );

    await expect(next).rejects.toBeInstanceOf(QueryValidationException);
  });

  it.each([
    ['an unknown table', () => 'SELECT * FROM "db"."nope"', 'does not exist'],
    [
      'an unknown column',
      () => `SELECT nope FROM "db"."${table}"`,
      'Query failed',
    ],
  ])('answers %s with a ValidationException', async (_case, sql, message) => {
    const call = reader.send(new QueryCommand({ QueryString: sql() }));

    await expect(call).rejects.toBeInstanceOf(QueryValidationException);
    await expect(call).rejects.toThrow(message);
  });
});

describe('translate', () => {
  const context = {
    nowMs: NOW,
    view: (db: string, t: string) =>
      db === 'db' && t === 'm' ? 'ts_0' : undefined,
  };

  it.each([
    [
      'bin',
      'bin(time, 1m)',
      'make_timestamp((epoch_us(time) // 60000000) * 60000000)',
    ],
    ['ago', 'ago(1h)', `make_timestamp(${(NOW - 3_600_000) * 1_000})`],
    [
      'from_milliseconds',
      'from_milliseconds(5)',
      'make_timestamp(CAST(5 AS BIGINT) * 1000)',
    ],
    ['to_milliseconds', 'to_milliseconds(time)', 'epoch_ms(time)'],
    ['approx_percentile', 'approx_percentile(x, 0.9)', 'quantile_cont(x, 0.9)'],
    ['regexp_like', "regexp_like(h, '^a')", "regexp_matches(h, '^a')"],
    ['measure_value', 'measure_value::double', '"measure_value::double"'],
    ['an interval', '250ms', 'to_microseconds(250000)'],
    ['a table', 'FROM "db"."m"', 'FROM ts_0'],
  ])('translates %s', (_case, sql, expected) => {
    expect(translate(sql, context)).toBe(expected);
  });

  it('leaves literals and comments inert', () => {
    const sql = `SELECT 'bin(time, 1m) -- x', "ago(1h)" -- bin(time, 1m)`;

    expect(translate(sql, context)).toBe(
      `SELECT 'bin(time, 1m) -- x', "ago(1h)"  `,
    );
  });
});
