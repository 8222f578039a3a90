import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '#shared/model/metric.js';
import {
  pointProblem,
  recordProblem,
} from '#shared/store/aws/timestream/checks.js';
import {
  buildRecord,
  labelDimension,
  labelOfDimension,
  recordKey,
  recordSize,
} from '#shared/store/aws/timestream/records.js';
import {
  type PendingRecord,
  planCalls,
  readRejections,
  writeRequest,
} from '#shared/store/aws/timestream/writes.js';
import {
  counter,
  gauge,
  histogram,
  T0,
} from '../contract/metric-store.contract.js';

const WINDOW = { nowMs: T0, memoryRetentionHours: 24, magneticWrites: false };

/** Lists the measures of a record as name -> [type, value]. */
function measures(point: MetricPoint) {
  const record = buildRecord(point, 'w1');
  return Object.fromEntries(
    (record.MeasureValues ?? []).map((m) => [m.Name, [m.Type, m.Value]]),
  );
}

const dimensions = (point: MetricPoint) =>
  buildRecord(point, 'w1').Dimensions?.map((d) => [d.Name, d.Value]);

describe('buildRecord', () => {
  it('writes a gauge as one multi-measure record', () => {
    const record = buildRecord(gauge(0.5, { host: 'a' }), 'w1');

    expect(record).toMatchObject({
      MeasureName: 'cpu.util',
      MeasureValueType: 'MULTI',
      Time: String(T0),
      TimeUnit: 'MILLISECONDS',
    });
    expect(measures(gauge(0.5, { host: 'a' }))).toEqual({
      metric_type: ['VARCHAR', 'gauge'],
      unit: ['VARCHAR', '1'],
      value: ['DOUBLE', '0.5'],
      write_id: ['VARCHAR', 'w1'],
    });
  });

  it('puts the service and sorted labels in dimensions', () => {
    expect(dimensions(gauge(1, { zone: 'z1', host: 'a' }))).toEqual([
      ['service', 'api'],
      ['label.host', 'a'],
      ['label.zone', 'z1'],
    ]);
  });

  it('makes a cumulative start time a dimension', () => {
    const point = counter(5, T0 - 60_000, T0);

    expect(dimensions(point)).toContainEqual(['start_ms', String(T0 - 60_000)]);
    expect(measures(point)).toMatchObject({
      temporality: ['VARCHAR', 'cumulative'],
      monotonic: ['BOOLEAN', 'true'],
    });
    expect(measures(point)).not.toHaveProperty('delta_start_ms');
  });

  it('keeps a delta start time as a measure', () => {
    const point = {
      ...counter(5, T0 - 60_000, T0),
      temporality: 'delta' as const,
    };

    expect(dimensions(point)?.map(([name]) => name)).not.toContain('start_ms');
    expect(measures(point).delta_start_ms).toEqual([
      'BIGINT',
      String(T0 - 60_000),
    ]);
  });

  it('writes histogram fields as measures', () => {
    expect(measures(histogram([1, 2, 3], 4.5))).toMatchObject({
      metric_type: ['VARCHAR', 'histogram'],
      count: ['BIGINT', '6'],
      sum: ['DOUBLE', '4.5'],
      min: ['DOUBLE', '0.01'],
      max: ['DOUBLE', '3'],
      bucket_bounds: ['VARCHAR', '[0.1,1]'],
      bucket_counts: ['VARCHAR', '[1,2,3]'],
    });
  });

  it('leaves out a missing histogram sum', () => {
    expect(measures(histogram([1, 0, 0], null))).not.toHaveProperty('sum');
  });

  it('writes exponential histogram fields as measures', () => {
    const point = gauge(
      0,
      {},
      {
        type: 'histogram',
        value: null,
        exponential_histogram: {
          scale: 3,
          zero_count: 1,
          zero_threshold: 0.001,
          positive: { offset: -2, counts: [4, 0, 5] },
          negative: { offset: 1, counts: [2] },
          count: 12,
          sum: 40.25,
          min: -3,
          max: 9,
        },
      },
    );

    expect(measures(point)).toMatchObject({
      exp_scale: ['BIGINT', '3'],
      exp_zero_count: ['BIGINT', '1'],
      exp_zero_threshold: ['DOUBLE', '0.001'],
      exp_positive_offset: ['BIGINT', '-2'],
      exp_positive_counts: ['VARCHAR', '[4,0,5]'],
      exp_negative_offset: ['BIGINT', '1'],
      exp_negative_counts: ['VARCHAR', '[2]'],
      count: ['BIGINT', '12'],
    });
  });

  it('writes summary quantiles as pairs', () => {
    const point = gauge(
      0,
      {},
      {
        type: 'summary',
        value: null,
        summary: {
          count: 3,
          sum: 6,
          quantiles: [
            { quantile: 0.5, value: 1.5 },
            { quantile: 0.99, value: 4 },
          ],
        },
      },
    );

    expect(measures(point).quantiles).toEqual([
      'VARCHAR',
      '[[0.5,1.5],[0.99,4]]',
    ]);
  });

  it('leaves out labels with empty values', () => {
    expect(dimensions(gauge(1, { host: 'a', zone: '' }))).toEqual([
      ['service', 'api'],
      ['label.host', 'a'],
    ]);
    expect(recordKey(gauge(1, { host: 'a', zone: '' }))).toBe(
      recordKey(gauge(1, { host: 'a' })),
    );
  });
});

describe('label dimension names', () => {
  it.each(['host', 'a:b', '100%', '%3A', 'x%25:y', 'zoné'])(
    'round-trips %s',
    (key) => {
      const name = labelDimension(key);

      expect(name).not.toContain(':');
      expect(labelOfDimension(name)).toBe(key);
    },
  );

  it('reads only label columns as labels', () => {
    expect(labelOfDimension('service')).toBeUndefined();
  });
});

describe('recordSize', () => {
  it('matches the worked example of the Timestream metering guide', () => {
    const record = {
      Dimensions: [
        { Name: 'region', Value: 'us-east-1' },
        { Name: 'az', Value: '1d' },
        { Name: 'vpc', Value: 'vpc-1a2b3c4d' },
        { Name: 'hostname', Value: 'host-24Gju' },
      ],
      MeasureName: 'cpu_utilization',
      MeasureValue: '35.0',
      MeasureValueType: 'DOUBLE' as const,
    };

    expect(recordSize(record)).toBe(83);
  });

  it('counts UTF-8 bytes and multi-measure names', () => {
    const record = {
      Dimensions: [{ Name: 'é', Value: '東' }],
      MeasureName: 'm',
      MeasureValues: [
        { Name: 'v', Value: '1.5', Type: 'DOUBLE' as const },
        { Name: 'b', Value: 'true', Type: 'BOOLEAN' as const },
        { Name: 's', Value: 'abc', Type: 'VARCHAR' as const },
      ],
    };

    expect(recordSize(record)).toBe(
      8 + 1 + (2 + 3) + (1 + 8) + (1 + 1) + (1 + 3),
    );
  });
});

describe('point and record checks', () => {
  it.each([
    ['value', gauge(Number.NaN, {}), 'value: is NaN'],
    [
      'histogram sum',
      histogram([1, 0, 0], Number.POSITIVE_INFINITY),
      'histogram.sum: is Infinity',
    ],
    [
      'bound',
      histogram([1, 0, 0], 1, {
        histogram: {
          bounds: [0.1, Number.NEGATIVE_INFINITY],
          counts: [1, 0, 0],
          count: 1,
          sum: 1,
          min: null,
          max: null,
        },
      }),
      'histogram.bounds[1]: is -Infinity',
    ],
  ])('rejects a non-finite %s', (_case, point, reason) => {
    expect(pointProblem(point, WINDOW)).toMatch(
      new RegExp(`^${reason.replace(/[[\]]/g, '\\$&')}`),
    );
  });

  it('rejects a point older than the memory store', () => {
    const old = gauge(1, {}, { timestamp_ms: T0 - 25 * 3_600_000 });

    expect(pointProblem(old, WINDOW)).toContain(
      'older than the Timestream memory store retention of 24 hours',
    );
  });

  it('accepts an old point with magnetic store writes', () => {
    const old = gauge(1, {}, { timestamp_ms: T0 - 25 * 3_600_000 });

    expect(
      pointProblem(old, { ...WINDOW, magneticWrites: true }),
    ).toBeUndefined();
  });

  it('rejects a point more than 15 minutes ahead', () => {
    const ahead = gauge(1, {}, { timestamp_ms: T0 + 16 * 60_000 });

    expect(pointProblem(ahead, WINDOW)).toContain('15 minutes ahead');
  });

  it('rejects a label key too long for a dimension name', () => {
    const point = gauge(1, { ['k'.repeat(55)]: 'v' });

    expect(pointProblem(point, WINDOW)).toContain(
      'above the Timestream limit of 60 bytes',
    );
  });

  it('rejects a record above 2 KB naming the limit', () => {
    const record = buildRecord(gauge(1, { host: 'x'.repeat(2_100) }), 'w1');

    expect(recordProblem(record)).toMatch(
      /^record: is \d+ bytes as a Timestream record, above the limit of 2048 bytes \(2 KB\)/,
    );
  });

  it('accepts a record just under 2 KB', () => {
    const base = recordSize(buildRecord(gauge(1, { host: '' }), 'w1'));
    const fill = 2_048 - base - 'label.host'.length;
    const record = buildRecord(gauge(1, { host: 'x'.repeat(fill) }), 'w1');

    expect(recordSize(record)).toBe(2_048);
    expect(recordProblem(record)).toBeUndefined();
  });
});

function pending(points: MetricPoint[]): PendingRecord[] {
  return points.map((point, index) => ({
    index,
    point,
    record: buildRecord(point, 'w1'),
  }));
}

describe('write calls', () => {
  it('splits 250 points of one metric into calls of 100, 100 and 50', () => {
    const points = Array.from({ length: 250 }, (_, i) =>
      gauge(i, { host: `h${i}` }),
    );

    expect(planCalls(pending(points)).map((call) => call.length)).toEqual([
      100, 100, 50,
    ]);
  });

  it('fills calls of 100 across services and metrics', () => {
    // 5 services x 5 metrics, 10 points each, interleaved.
    const points = Array.from({ length: 250 }, (_, i) =>
      gauge(
        i,
        { host: `h${Math.floor(i / 25)}` },
        {
          service: `svc-${i % 5}`,
          name: `metric-${Math.floor(i / 5) % 5}`,
        },
      ),
    );

    const calls = planCalls(pending(points));

    expect(calls.map((call) => call.length)).toEqual([100, 100, 50]);
    expect(
      calls
        .flat()
        .map((item) => item.index)
        .sort((a, b) => a - b),
    ).toEqual(points.map((_, i) => i));
  });

  it('orders records by service, then metric', () => {
    const calls = planCalls(
      pending([
        gauge(1, { host: 'a' }),
        gauge(1, { host: 'a' }, { service: 'web' }),
        gauge(1, { host: 'a' }, { name: 'mem' }),
        gauge(1, { host: 'b' }),
        gauge(1, { host: 'b' }, { service: 'web' }),
      ]),
    );

    expect(calls.map((call) => call.map((item) => item.index))).toEqual([
      [0, 3, 2, 1, 4],
    ]);
  });

  it('moves what a call shares into CommonAttributes', () => {
    const request = writeRequest(
      { database: 'obs', table: 'metrics' },
      pending([gauge(1, { host: 'a' }), gauge(2, { host: 'b' })]),
    );

    expect(request.CommonAttributes).toEqual({
      Dimensions: [{ Name: 'service', Value: 'api' }],
      MeasureName: 'cpu.util',
      MeasureValueType: 'MULTI',
      TimeUnit: 'MILLISECONDS',
    });
    expect(request.Records?.[1]).toEqual({
      Dimensions: [{ Name: 'label.host', Value: 'b' }],
      MeasureValues: buildRecord(gauge(2, { host: 'b' }), 'w1').MeasureValues,
      Time: String(T0),
    });
  });

  it.each<[string, Partial<MetricPoint>, ('service' | 'MeasureName')[]]>([
    ['metrics', { name: 'mem' }, ['MeasureName']],
    ['services', { service: 'web' }, ['service']],
    [
      'services and metrics',
      { service: 'web', name: 'mem' },
      ['service', 'MeasureName'],
    ],
  ])('keeps mixed %s on each record', (_case, overrides, mixed) => {
    const call = pending([
      gauge(1, { host: 'a' }),
      gauge(2, { host: 'b' }, overrides),
    ]);

    const request = writeRequest({ database: 'obs', table: 'metrics' }, call);
    const common = request.CommonAttributes ?? {};

    expect(common.MeasureName === undefined).toBe(
      mixed.includes('MeasureName'),
    );
    expect(common.Dimensions === undefined).toBe(mixed.includes('service'));
    for (const record of request.Records ?? []) {
      expect(record.MeasureName !== undefined).toBe(
        mixed.includes('MeasureName'),
      );
      expect(record.Dimensions?.some((d) => d.Name === 'service')).toBe(
        mixed.includes('service'),
      );
    }
  });

  it('rebuilds each record when merged with CommonAttributes', () => {
    const call = pending([
      gauge(1, { host: 'a' }),
      gauge(2, { host: 'a' }, { service: 'web' }),
      gauge(3, { host: 'b' }, { name: 'mem' }),
      counter(4, T0 - 60_000, T0),
    ]);

    const request = writeRequest({ database: 'obs', table: 'metrics' }, call);
    const common = request.CommonAttributes ?? {};
    // WriteRecords merges CommonAttributes into each record: the record's
    // own fields win, and the dimension lists are joined.
    const merged = (request.Records ?? []).map((own) => ({
      ...common,
      ...own,
      Dimensions: [...(common.Dimensions ?? []), ...(own.Dimensions ?? [])],
    }));

    expect(merged).toEqual(call.map((item) => item.record));
  });

  it('reads RejectedRecords by index within the call', () => {
    const call = pending([
      gauge(1, { host: 'a' }),
      gauge(2, { host: 'b' }),
      gauge(3, { host: 'c' }),
    ]).map((item) => ({ ...item, index: item.index + 10 }));

    const outcome = readRejections(call, [
      { RecordIndex: 0, Reason: 'too old' },
      { RecordIndex: 2, Reason: 'exists', ExistingVersion: 1 },
    ]);

    expect(outcome.written).toBe(1);
    expect(outcome.rejected).toEqual([
      { index: 10, reason: 'record: Timestream rejected it: too old' },
    ]);
    expect(outcome.existing.map((item) => item.index)).toEqual([12]);
  });
});
