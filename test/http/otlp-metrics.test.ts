import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { MetricPoint } from '#shared/model/metric.js';
import { postOtlpJson, postOtlpProtobuf } from '#test/fixtures/otlp/http.js';
import {
  at,
  gauge,
  metricsRequest,
  nonFiniteRequest,
  resourceOf,
  str,
  T0_NANO,
} from '#test/fixtures/otlp/requests.js';
import {
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0 = T0_NANO;
const T0_MS = Number(T0 / 1_000_000n);
const SECOND = 1_000_000_000;

let server: TestServer;
/** Every point the metric store was asked to write, in order. */
let written: MetricPoint[] = [];
let serviceCounter = 0;
let service: string;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
  const store = server.stores.metrics;
  const write = store.write.bind(store);
  store.write = (points) => {
    written.push(...points);
    return write(points);
  };
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  written = [];
  serviceCounter += 1;
  service = `otlp-metrics-${serviceCounter}`;
});

function query(
  metricName: string,
  aggregation: string,
  startMs = T0_MS - 3_600_000,
) {
  return postJson(`${server.url}/api/observatory/metrics/query`, {
    service,
    metric_name: metricName,
    start: startMs,
    end: T0_MS + 60_000,
    interval: '1h',
    aggregation,
  });
}

describe('POST /v1/metrics non-finite values', () => {
  it.each(['json', 'protobuf'] as const)(
    'stores finite points and reports the rest (%s)',
    async (format) => {
      const request = nonFiniteRequest(T0, resourceOf(service));
      const post = format === 'json' ? postOtlpJson : postOtlpProtobuf;

      const response = await post(server.url, 'metrics', request);
      const max = await query('queue.depth', 'max');
      const count = await query('queue.depth', 'count');

      expect(response.status).toBe(200);
      const partial = response.body.partialSuccess;
      expect(Number(partial.rejectedDataPoints)).toBe(3);
      expect(partial.errorMessage).toContain('3 data points rejected');
      expect(partial.errorMessage).toContain('must be finite');
      expect(max.body.series[0].points[0].value).toBe(2.5);
      expect(count.body.series[0].points[0].value).toBe(2);
    },
  );

  it('keeps the histogram with its count and buckets and no sum', async () => {
    const request = nonFiniteRequest(T0, resourceOf(service));

    await postOtlpJson(server.url, 'metrics', request);
    const histogram = written.find((p) => p.name === 'request.duration');

    expect(histogram?.histogram).toEqual({
      bounds: [0.1, 1.0],
      counts: [1, 2, 0],
      count: 3,
      sum: null,
      min: null,
      max: null,
    });
  });
});

describe('POST /v1/metrics sums', () => {
  const runs = (startOffset: number) =>
    metricsRequest(
      [
        {
          name: 'job.runs',
          sum: {
            isMonotonic: true,
            aggregationTemporality: 2,
            dataPoints: [
              {
                startTimeUnixNano: at(T0, startOffset * SECOND),
                timeUnixNano: at(T0, (startOffset + 5) * SECOND),
                asInt: '1',
                attributes: [str('job', 'nightly')],
              },
            ],
          },
        },
      ],
      resourceOf(service),
    );

  it('treats each new start time as a new series', async () => {
    for (const offset of [-1800, -1200, -600]) {
      const response = await postOtlpJson(server.url, 'metrics', runs(offset));
      expect(response.body).toEqual({});
    }

    const sum = await query('job.runs', 'sum', T0_MS - 1_800_000);

    expect(written.map((p) => p.start_timestamp_ms)).toEqual([
      T0_MS - 1_800_000,
      T0_MS - 1_200_000,
      T0_MS - 600_000,
    ]);
    expect(written.every((p) => p.type === 'counter')).toBe(true);
    expect(sum.body.series[0].points[0].value).toBe(3);
  });

  it('stores a non-monotonic delta sum as a gauge', async () => {
    const request = metricsRequest(
      [
        {
          name: 'queue.change',
          sum: {
            isMonotonic: false,
            aggregationTemporality: 1,
            dataPoints: [{ timeUnixNano: at(T0, 0), asDouble: -2 }],
          },
        },
      ],
      resourceOf(service),
    );

    const response = await postOtlpProtobuf(server.url, 'metrics', request);

    expect(response.status).toBe(200);
    expect(written[0]).toMatchObject({
      type: 'gauge',
      temporality: 'delta',
      monotonic: false,
      value: -2,
    });
  });
});

describe('POST /v1/metrics distributions', () => {
  it('stores exponential histograms and summaries', async () => {
    const request = metricsRequest(
      [
        {
          name: 'latency',
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                startTimeUnixNano: at(T0, -60 * SECOND),
                timeUnixNano: at(T0, 0),
                count: '4',
                sum: 10,
                scale: 2,
                zeroCount: '1',
                positive: { offset: 1, bucketCounts: ['2', '1'] },
              },
            ],
          },
        },
        {
          name: 'rpc.time',
          summary: {
            dataPoints: [
              {
                timeUnixNano: at(T0, 0),
                count: '10',
                sum: 42,
                quantileValues: [{ quantile: 0.5, value: 3 }],
              },
            ],
          },
        },
      ],
      resourceOf(service),
    );

    const response = await postOtlpProtobuf(server.url, 'metrics', request);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    expect(written.map((p) => p.name)).toEqual(['latency', 'rpc.time']);
    expect(written[0]?.exponential_histogram?.positive).toEqual({
      offset: 1,
      counts: [2, 1],
    });
    expect(written[1]?.summary?.quantiles).toEqual([
      { quantile: 0.5, value: 3 },
    ]);
  });

  it('returns 400 when every point is invalid', async () => {
    const request = metricsRequest(
      [gauge('g', [{ timeUnixNano: at(T0, 0), asDouble: 'NaN' }])],
      resourceOf(service),
    );

    const response = await postOtlpJson(server.url, 'metrics', request);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(
      'no data points could be read',
    );
    expect(written).toEqual([]);
  });
});
