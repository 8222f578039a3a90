import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { type AwsConfig, ConfigError } from '#shared/config.js';
import { StoreError } from '#shared/errors.js';
import type { MetricQuery } from '#shared/model/metric.js';
import {
  createTimestreamMetricStore,
  type TimestreamMetricStore,
  type TimestreamStoreOptions,
} from '#shared/store/aws/timestream/metric-store.js';
import { fakeAwsConfig } from '#test/fakes/timestream/config.js';
import {
  startTimestreamFake,
  type TimestreamFake,
  type TimestreamFakeOptions,
} from '#test/fakes/timestream/server.js';
import { gauge, T0 } from '../contract/metric-store.contract.js';

const NOW = T0 + 1_800_000;
const HOUR = 3_600_000;

let fake: TimestreamFake;
/** The fake to close after the test, when the test started one. */
let running: TimestreamFake | undefined;
let store: TimestreamMetricStore;
let delays: number[];

async function open(
  options: {
    fake?: Partial<TimestreamFakeOptions>;
    aws?: Partial<AwsConfig>;
    store?: TimestreamStoreOptions;
  } = {},
) {
  fake = await startTimestreamFake({
    tables: [['observatory', 'metrics']],
    clock: fixedClock(NOW),
    ...options.fake,
  });
  running = fake;
  delays = [];
  store = createTimestreamMetricStore(
    { ...fakeAwsConfig(fake.endpoint), ...options.aws },
    {
      clock: fixedClock(NOW),
      retry: { baseDelayMs: 8, sleep: async (ms) => void delays.push(ms) },
      ...options.store,
    },
  );
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const query = (overrides: Partial<MetricQuery> = {}): MetricQuery => ({
  service: 'api',
  metric_name: 'cpu.util',
  matchers: [],
  start_ms: T0 - 2 * HOUR,
  end_ms: NOW,
  interval_ms: HOUR,
  aggregation: 'avg',
  ...overrides,
});

/**
 * `count` points, each its own series: service `i % 10`, metric
 * `(i / 10) % 10` and host `i / 100`, so 10 points per service and
 * metric, interleaved.
 */
const mixedPoints = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    gauge(
      i,
      { host: `h${Math.floor(i / 100)}` },
      {
        service: `svc-${i % 10}`,
        name: `metric-${Math.floor(i / 10) % 10}`,
      },
    ),
  );

/** Records sent in every WriteRecords call, per call. */
const sentRecords = () =>
  fake.requestsOf('WriteRecords').map((r) => r.body.Records as any[]);

describe('writes to Timestream', () => {
  it('sends 250 points as 3 calls of at most 100 records', async () => {
    await open();
    const points = Array.from({ length: 250 }, (_, i) =>
      gauge(i, { host: `h${i}` }),
    );

    const result = await store.write(points);

    expect(result).toEqual({ written: 250, duplicates: 0, rejected: [] });
    const sizes = sentRecords().map((records) => records.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    for (const request of fake.requestsOf('WriteRecords')) {
      expect(request.body.CommonAttributes).toMatchObject({
        MeasureName: 'cpu.util',
        Dimensions: [{ Name: 'service', Value: 'api' }],
      });
    }
  });

  it('sends 1,000 points of 10 services and 10 metrics in 10 calls', async () => {
    await open();
    const points = mixedPoints(1_000);

    const first = await store.write(points);
    const again = await store.write(points);
    const stored = await store.query(
      query({ service: 'svc-3', metric_name: 'metric-7' }),
    );

    expect(first).toEqual({ written: 1_000, duplicates: 0, rejected: [] });
    expect(
      sentRecords()
        .slice(0, 10)
        .map((r) => r.length),
    ).toEqual(Array(10).fill(100));
    expect(again).toEqual({ written: 0, duplicates: 1_000, rejected: [] });
    expect(stored.map((s) => s.points[0]?.value)).toEqual(
      points
        .filter((p) => p.service === 'svc-3' && p.name === 'metric-7')
        .map((p) => p.value),
    );
  });

  it('maps a rejection in a mixed call to its batch index', async () => {
    // The fake keeps 1 hour in memory while the adapter expects 24, so
    // Timestream itself rejects the old point, which the call sends last.
    await open({ fake: { memoryRetentionHours: 1 } });

    const result = await store.write([
      gauge(1, { host: 'a' }),
      gauge(2, { host: 'b' }, { service: 'web', timestamp_ms: NOW - 2 * HOUR }),
      gauge(3, { host: 'c' }, { name: 'mem' }),
      gauge(4, { host: 'd' }),
    ]);

    expect(result.written).toBe(3);
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
    expect(result.rejected[0]?.reason).toMatch(/outside the time range/);
    expect(sentRecords()).toHaveLength(1);
    expect(sentRecords()[0]?.[3]?.Time).toBe(String(NOW - 2 * HOUR));
  });

  it.each([1, 3])('keeps %i calls in flight at most', async (limit) => {
    await open({
      fake: { latencyMs: 20 },
      store: { writeConcurrency: limit },
    });
    const points = Array.from({ length: 600 }, (_, i) =>
      gauge(i, { host: `h${i}` }),
    );

    const result = await store.write(points);

    expect(result.written).toBe(600);
    expect(fake.requestsOf('WriteRecords')).toHaveLength(6);
    expect(fake.maxInFlight('WriteRecords')).toBe(limit);
  });

  it('counts a resent batch of 250 as duplicates', async () => {
    await open();
    const points = Array.from({ length: 250 }, (_, i) =>
      gauge(i, { host: `h${i}` }),
    );
    await store.write(points);

    const again = await store.write(points);
    const counts = await store.query(query({ aggregation: 'count' }));

    expect(again).toEqual({ written: 0, duplicates: 250, rejected: [] });
    expect(counts).toHaveLength(250);
    expect(counts.every((s) => s.points[0]?.value === 1)).toBe(true);
  });

  it('resolves the same series twice before the call', async () => {
    await open();
    const batch = [
      gauge(0.5, { host: 'host-a' }),
      gauge(0.7, { host: 'host-a' }),
      gauge(0.3, { host: 'host-b' }),
    ];

    const first = await store.write(batch);
    const again = await store.write(batch);
    const series = await store.query(query());

    expect(first.written).toBe(2);
    expect(first.rejected.map((r) => r.index)).toEqual([1]);
    expect(first.rejected[0]?.reason).toContain('point 0');
    expect(sentRecords()[0]).toHaveLength(2);
    expect(JSON.stringify(sentRecords()[0])).not.toContain('0.7');
    expect(again).toEqual({
      written: 0,
      duplicates: 2,
      rejected: [{ index: 1, reason: first.rejected[0]?.reason }],
    });
    expect(series.map((s) => [s.labels.host, s.points[0]?.value])).toEqual([
      ['host-a', 0.5],
      ['host-b', 0.3],
    ]);
  });

  it('reports records Timestream rejects and counts the rest', async () => {
    // The fake keeps 1 hour in memory while the adapter expects 24, so
    // Timestream itself rejects the older point.
    await open({ fake: { memoryRetentionHours: 1 } });

    const result = await store.write([
      gauge(1, { host: 'a' }),
      gauge(2, { host: 'b' }, { timestamp_ms: NOW - 2 * HOUR }),
      gauge(3, { host: 'c' }),
    ]);

    expect(result.written).toBe(2);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(1);
    expect(result.rejected[0]?.reason).toMatch(
      /^record: Timestream rejected it: .*outside the time range/,
    );
    expect(fake.requestsOf('WriteRecords')).toHaveLength(1);
  });

  it('retries a throttled call with growing delays', async () => {
    await open();
    fake.throttle('WriteRecords', 2);

    const result = await store.write([gauge(1, { host: 'a' })]);

    expect(result.written).toBe(1);
    const bodies = fake.requestsOf('WriteRecords').map((r) => r.body);
    expect(bodies).toHaveLength(3);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(4);
    expect(delays[0]).toBeLessThanOrEqual(8);
    expect(delays[1]).toBeGreaterThanOrEqual(8);
    expect(delays[1]).toBeLessThanOrEqual(16);
  });

  it('fails naming throttling once attempts run out', async () => {
    await open({ store: { retry: { attempts: 3, sleep: async () => {} } } });
    fake.throttle('WriteRecords', 10);

    const failing = store.write([gauge(1, { host: 'a' })]);

    await expect(failing).rejects.toBeInstanceOf(StoreError);
    await expect(failing).rejects.toThrow(/ThrottlingException/);
    expect(fake.requestsOf('WriteRecords')).toHaveLength(3);
  });

  it('retries a throttled query page', async () => {
    await open();
    await store.write([gauge(1, { host: 'a' })]);
    fake.throttle('Query', 1);

    const series = await store.query(query());

    expect(series).toHaveLength(1);
    expect(delays).toHaveLength(1);
  });

  it('never calls DescribeEndpoints with an endpoint override', async () => {
    await open();

    await store.write([gauge(1, { host: 'a' })]);
    await store.query(query());

    expect(fake.requestsOf('DescribeEndpoints')).toEqual([]);
    expect(fake.requests.length).toBeGreaterThan(0);
  });
});

describe('points rejected before any call', () => {
  it('keeps a non-finite value away from Timestream', async () => {
    await open();

    const result = await store.write([
      gauge(Number.POSITIVE_INFINITY, { host: 'a' }),
      gauge(1, { host: 'b' }),
    ]);

    expect(result.written).toBe(1);
    expect(result.rejected[0]).toMatchObject({ index: 0 });
    expect(result.rejected[0]?.reason).toMatch(/^value: is Infinity/);
    expect(sentRecords().flat()).toHaveLength(1);
    expect(JSON.stringify(fake.requests)).not.toContain('Infinity');
  });

  it('rejects a point older than the memory store up front', async () => {
    await open();

    const result = await store.write([
      gauge(1, { host: 'a' }, { timestamp_ms: NOW - 25 * HOUR }),
    ]);

    expect(result.written).toBe(0);
    expect(result.rejected[0]?.reason).toContain(
      'OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS',
    );
    expect(fake.requestsOf('WriteRecords')).toEqual([]);
  });

  it('writes an old point when magnetic store writes are on', async () => {
    await open({
      fake: { magneticWrites: true },
      aws: { timestreamMagneticWrites: true },
    });

    const result = await store.write([
      gauge(1, { host: 'a' }, { timestamp_ms: NOW - 25 * HOUR }),
    ]);

    expect(result).toEqual({ written: 1, duplicates: 0, rejected: [] });
  });

  it('rejects a record above 2 KB up front', async () => {
    await open();

    const result = await store.write([gauge(1, { host: 'x'.repeat(3_000) })]);

    expect(result.rejected[0]?.reason).toContain(
      'above the limit of 2048 bytes',
    );
    expect(fake.requestsOf('WriteRecords')).toEqual([]);
  });
});

describe('queries on Timestream', () => {
  it('reads every page, empty ones included', async () => {
    await open({ fake: { pageSize: 1, emptyPagesFirst: 2 } });
    await store.write(
      ['a', 'b', 'c', 'd', 'e'].map((host) => gauge(1, { host })),
    );
    const before = fake.requestsOf('Query').length;

    const series = await store.query(query());

    expect(series.map((s) => s.labels.host)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const pages = fake.requestsOf('Query').slice(before);
    expect(pages.filter((r) => r.body.NextToken).length).toBeGreaterThan(5);
  });

  const hostile = [
    `x' OR '1'='1`,
    'a"b',
    '-- not a comment',
    '/* nor this */',
    "'; DROP TABLE metrics; --",
    'zoné 東京 🚀',
    'a:b%3A',
  ];

  it.each(hostile)('matches the label text %s exactly', async (text) => {
    await open();
    await store.write([
      gauge(1, { [text]: text }),
      gauge(2, { [text]: `${text}!` }),
      gauge(3, { other: text }),
    ]);

    const equal = await store.query(
      query({ matchers: [{ label: text, op: '=', value: text }] }),
    );
    const regex = await store.query(
      query({ matchers: [{ label: text, op: '=~', value: '.+' }] }),
    );

    expect(equal).toEqual([
      {
        labels: { [text]: text },
        points: [{ timestamp_ms: T0, value: 1 }],
      },
    ]);
    expect(regex.map((s) => s.labels[text]).sort()).toEqual(
      [text, `${text}!`].sort(),
    );
  });

  it('groups by a label with a hostile name', async () => {
    await open();
    const key = `it's "odd"`;
    await store.write([
      gauge(1, { [key]: 'v', host: 'a' }),
      gauge(3, { [key]: 'v', host: 'b' }),
    ]);

    const series = await store.query(query({ group_by: [key] }));

    expect(series).toEqual([
      {
        labels: { [key]: 'v' },
        points: [{ timestamp_ms: T0, value: 2 }],
      },
    ]);
  });

  it('stores an empty label value as a missing label', async () => {
    await open();
    await store.write([gauge(1, { host: 'a', zone: '' })]);

    const series = await store.query(
      query({ matchers: [{ label: 'zone', op: '=', value: '' }] }),
    );

    expect(series.map((s) => s.labels)).toEqual([{ host: 'a' }]);
  });
});

describe('createTimestreamMetricStore', () => {
  it.each([
    ['timestreamDatabase', 'OBSERVATORY_TIMESTREAM_DATABASE'],
    ['timestreamTable', 'OBSERVATORY_TIMESTREAM_TABLE'],
  ])('fails without %s naming the variable', (setting, variable) => {
    const aws = {
      ...fakeAwsConfig('http://127.0.0.1:1'),
      [setting]: undefined,
    };

    expect(() => createTimestreamMetricStore(aws)).toThrow(ConfigError);
    expect(() => createTimestreamMetricStore(aws)).toThrow(variable);
  });
});
