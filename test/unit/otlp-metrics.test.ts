import { describe, expect, it } from 'vitest';
import { mapMetricsRequest } from '#shared/otlp/metrics.js';
import {
  at,
  gauge,
  metricsRequest,
  nonFiniteRequest,
  str,
  T0_NANO,
} from '#test/fixtures/otlp/requests.js';

const T0 = T0_NANO;
const T0_MS = Number(T0 / 1_000_000n);

function point(fields: Record<string, unknown> = {}) {
  return { timeUnixNano: at(T0, 0), asDouble: 1, ...fields };
}

function mapMetric(metric: Record<string, unknown>) {
  return mapMetricsRequest(metricsRequest([metric]));
}

describe('mapMetricsRequest non-finite values', () => {
  it('keeps finite gauge values and rejects the others', () => {
    const batch = mapMetricsRequest(nonFiniteRequest(T0));
    const gauges = batch.items.filter((p) => p.name === 'queue.depth');

    expect(gauges.map((p) => p.value)).toEqual([2.5, 1.5]);
    expect(batch.rejected).toHaveLength(3);
    for (const rejection of batch.rejected) {
      expect(rejection.reason).toContain('asDouble: invalid value');
      expect(rejection.reason).toContain('must be finite');
    }
  });

  it('keeps a histogram with a NaN sum, its sum absent', () => {
    const batch = mapMetricsRequest(nonFiniteRequest(T0));
    const histogram = batch.items.find((p) => p.name === 'request.duration');

    expect(histogram?.type).toBe('histogram');
    expect(histogram?.histogram).toEqual({
      bounds: [0.1, 1.0],
      counts: [1, 2, 0],
      count: 3,
      sum: null,
      min: null,
      max: null,
    });
    expect(histogram?.value).toBeNull();
  });
});

describe('mapMetricsRequest 64-bit fields', () => {
  it.each([
    ['"25"', '25', 25],
    ['7', 7, 7],
    ['"-12"', '-12', -12],
  ])('reads asInt %s exactly', (_label, asInt, expected) => {
    const batch = mapMetric(
      gauge('g', [point({ asDouble: undefined, asInt })]),
    );

    expect(batch.items[0]?.value).toBe(expected);
  });

  it.each([
    ['asInt', { asDouble: undefined, asInt: '12abc' }],
    ['timeUnixNano', { timeUnixNano: '17x' }],
    ['startTimeUnixNano', { startTimeUnixNano: 1.5 }],
  ])('rejects an invalid %s', (field, fields) => {
    const batch = mapMetric(gauge('g', [point(fields)]));

    expect(batch.rejected[0]?.reason).toContain(`.${field}: invalid integer`);
  });

  it('rejects asInt beyond 2^53 rather than rounding it', () => {
    const fields = { asDouble: undefined, asInt: '9007199254740993' };
    const batch = mapMetric(gauge('g', [point(fields)]));

    expect(batch.rejected[0]?.reason).toContain('exceeds 2^53 - 1');
  });

  it.each([
    ['count', { count: '3x' }],
    ['bucketCounts[1]', { bucketCounts: ['1', 'two'] }],
  ])('rejects an invalid histogram %s', (field, fields) => {
    const histogram = {
      aggregationTemporality: 2,
      dataPoints: [
        {
          timeUnixNano: at(T0, 0),
          count: '3',
          bucketCounts: ['1', '2'],
          explicitBounds: [1],
          ...fields,
        },
      ],
    };
    const batch = mapMetric({ name: 'h', histogram });

    expect(batch.rejected[0]?.reason).toContain(`.${field}: invalid integer`);
  });
});

describe('mapMetricsRequest points', () => {
  it('maps a gauge with labels from its attributes', () => {
    const attributes = [
      str('host', 'a'),
      { key: 'cpu', value: { intValue: '3' } },
      { key: 'up', value: { boolValue: true } },
    ];
    const batch = mapMetric(
      gauge('cpu.util', [point({ attributes, asDouble: 0.5 })]),
    );
    const item = batch.items[0];

    expect(item).toMatchObject({
      service: 'checkout',
      name: 'cpu.util',
      unit: '1',
      type: 'gauge',
      value: 0.5,
      timestamp_ms: T0_MS,
      start_timestamp_ms: null,
      temporality: null,
      monotonic: null,
    });
    expect(item?.labels).toEqual({ host: 'a', cpu: '3', up: 'true' });
    expect(item?.attributes.cpu).toEqual({ intValue: '3' });
    expect(item?.resource['service.name']).toEqual({ stringValue: 'checkout' });
    expect(item?.scope?.name).toBe('test-scope');
  });

  it.each([
    [true, 2, 'counter', 'cumulative'],
    [true, 1, 'counter', 'delta'],
    [false, 2, 'gauge', 'cumulative'],
    [false, 1, 'gauge', 'delta'],
  ])(
    'maps a sum with isMonotonic %s and temporality %i to a %s',
    (isMonotonic, aggregationTemporality, type, temporality) => {
      const start = at(T0, -600_000_000_000);
      const sum = {
        isMonotonic,
        aggregationTemporality,
        dataPoints: [point({ startTimeUnixNano: start })],
      };
      const item = mapMetric({ name: 'job.runs', sum }).items[0];

      expect(item?.type).toBe(type);
      expect(item?.temporality).toBe(temporality);
      expect(item?.monotonic).toBe(isMonotonic);
      expect(item?.start_timestamp_ms).toBe(T0_MS - 600_000);
    },
  );

  it('rejects a sum without temporality', () => {
    const sum = { isMonotonic: true, dataPoints: [point()] };
    const batch = mapMetric({ name: 'job.runs', sum });

    expect(batch.rejected[0]?.reason).toContain(
      'sum.aggregationTemporality: missing',
    );
  });

  it('maps an exponential histogram', () => {
    const exponentialHistogram = {
      aggregationTemporality: 1,
      dataPoints: [
        {
          timeUnixNano: at(T0, 0),
          count: '6',
          sum: 12.5,
          scale: -2,
          zeroCount: '1',
          zeroThreshold: 0.001,
          positive: { offset: 3, bucketCounts: ['2', '1'] },
          negative: { offset: -1, bucketCounts: ['2'] },
          min: -4,
          max: 9,
        },
      ],
    };
    const item = mapMetric({ name: 'latency', exponentialHistogram }).items[0];

    expect(item?.type).toBe('histogram');
    expect(item?.histogram).toBeNull();
    expect(item?.temporality).toBe('delta');
    expect(item?.exponential_histogram).toEqual({
      scale: -2,
      zero_count: 1,
      zero_threshold: 0.001,
      positive: { offset: 3, counts: [2, 1] },
      negative: { offset: -1, counts: [2] },
      count: 6,
      sum: 12.5,
      min: -4,
      max: 9,
    });
  });

  it('maps a summary with its quantiles', () => {
    const summary = {
      dataPoints: [
        {
          timeUnixNano: at(T0, 0),
          count: '10',
          sum: 42,
          quantileValues: [
            { quantile: 0.5, value: 3 },
            { quantile: 0.99, value: 9.5 },
          ],
        },
      ],
    };
    const item = mapMetric({ name: 'rpc.time', summary }).items[0];

    expect(item?.type).toBe('summary');
    expect(item?.summary).toEqual({
      count: 10,
      sum: 42,
      quantiles: [
        { quantile: 0.5, value: 3 },
        { quantile: 0.99, value: 9.5 },
      ],
    });
  });

  it.each([
    ['absent', undefined, 0],
    ['"NaN"', 'NaN', null],
  ])('reads a summary sum that is %s', (_name, sum, expected) => {
    const summary = {
      dataPoints: [{ timeUnixNano: at(T0, 0), count: '0', sum }],
    };
    const item = mapMetric({ name: 'rpc.time', summary }).items[0];

    expect(item?.summary?.sum).toBe(expected);
  });

  it('turns a histogram without buckets into one bucket', () => {
    const histogram = {
      aggregationTemporality: 2,
      dataPoints: [{ timeUnixNano: at(T0, 0), count: '4', sum: 2 }],
    };
    const item = mapMetric({ name: 'h', histogram }).items[0];

    expect(item?.histogram?.bounds).toEqual([]);
    expect(item?.histogram?.counts).toEqual([4]);
  });

  it.each([
    [
      'bucket counts of the wrong length',
      { bucketCounts: ['1'] },
      'invalid length 1',
    ],
    [
      'decreasing bounds',
      { explicitBounds: [2, 1], bucketCounts: ['1', '1', '1'] },
      'strictly increasing',
    ],
  ])('rejects a histogram with %s', (_name, fields: object, message) => {
    const histogram = {
      aggregationTemporality: 2,
      dataPoints: [
        {
          timeUnixNano: at(T0, 0),
          count: '3',
          explicitBounds: [1],
          bucketCounts: ['1', '2'],
          ...fields,
        },
      ],
    };
    const batch = mapMetric({ name: 'h', histogram });

    expect(batch.rejected[0]?.reason).toContain(message);
  });

  it('rejects a point flagged as having no recorded value', () => {
    const batch = mapMetric(gauge('g', [point({ flags: 1 })]));

    expect(batch.rejected[0]?.reason).toContain('no recorded value');
  });

  it('rejects a point without a time', () => {
    const batch = mapMetric(gauge('g', [point({ timeUnixNano: undefined })]));

    expect(batch.rejected[0]?.reason).toContain('timeUnixNano: missing');
  });

  it('rejects a point without a value', () => {
    const batch = mapMetric(gauge('g', [point({ asDouble: undefined })]));

    expect(batch.rejected[0]?.reason).toContain('missing value');
  });

  it('rejects every point of a metric without a name', () => {
    const batch = mapMetric(gauge('', [point(), point()]));

    expect(batch.rejected).toHaveLength(2);
    expect(batch.rejected[0]?.reason).toContain('name: missing');
  });

  it('skips a metric with no data type', () => {
    const batch = mapMetric({ name: 'empty' });

    expect(batch).toEqual({ items: [], locations: [], rejected: [] });
  });

  it('names each point by its place in the request', () => {
    const batch = mapMetric(gauge('g', [point(), point({ asDouble: 'x' })]));

    expect(batch.locations).toEqual([
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]',
    ]);
    expect(batch.rejected[0]?.location).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1]',
    );
  });
});
