import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { postOtlpJson } from '#test/fixtures/otlp/http.js';
import {
  at,
  metricsRequest,
  resourceOf,
  str,
} from '#test/fixtures/otlp/requests.js';
import {
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The server's clock; T0 is half an hour earlier, on a 30-minute edge. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 1_800_000;
const T0 = BigInt(T0_MS) * 1_000_000n;
const SECOND = 1_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

/** Builds one monotonic cumulative `job.runs` point of service `batch`. */
function runsPoint(startSeconds: number, seconds: number, value: number) {
  return {
    startTimeUnixNano: at(T0, startSeconds * SECOND),
    timeUnixNano: at(T0, seconds * SECOND),
    asInt: String(value),
    attributes: [str('job', 'nightly')],
  };
}

function runsRequest(points: unknown[]) {
  const sum = { isMonotonic: true, aggregationTemporality: 2 };
  return metricsRequest(
    [{ name: 'job.runs', unit: '1', sum: { ...sum, dataPoints: points } }],
    resourceOf('batch'),
  );
}

/** Queries `job.runs` over the 30 minutes from T0. */
function queryRuns(aggregation: string, interval: string) {
  return postJson(`${server.url}/api/observatory/metrics/query`, {
    service: 'batch',
    metric_name: 'job.runs',
    start: iso(T0_MS),
    end: iso(NOW_MS),
    interval,
    aggregation,
  });
}

describe('counter reset through POST /v1/metrics', () => {
  it('counts three short job runs as an increase of 3', async () => {
    for (const start of [0, 600, 1_200]) {
      const sent = await postOtlpJson(
        server.url,
        'metrics',
        runsRequest([runsPoint(start, start + 5, 1)]),
      );
      expect(sent.status).toBe(200);
      expect(sent.body).toEqual({});
    }

    const increase = await queryRuns('increase', '30m');
    const rate = await queryRuns('rate', '30m');
    const perMinute = await queryRuns('increase', '1m');

    expect(increase.status).toBe(200);
    expect(increase.body.series).toEqual([
      {
        labels: { job: 'nightly' },
        points: [{ timestamp: iso(T0_MS), value: 3 }],
      },
    ]);
    expect(rate.body.series[0].points[0].value).toBeCloseTo(3 / 1_800, 15);
    expect(perMinute.body.series[0].points.map((p: any) => p.value)).toEqual([
      1, 1, 1,
    ]);
  });

  it('treats a drop with the same start time as a reset', async () => {
    await postOtlpJson(
      server.url,
      'metrics',
      runsRequest([runsPoint(0, 60, 5), runsPoint(0, 120, 7)]),
    );
    await postOtlpJson(
      server.url,
      'metrics',
      runsRequest([runsPoint(0, 180, 2), runsPoint(0, 240, 3)]),
    );

    const perMinute = await queryRuns('increase', '1m');
    const total = await queryRuns('increase', '30m');

    const values = perMinute.body.series[0].points.map((p: any) => p.value);
    expect(values).toEqual([5, 2, 2, 1]);
    expect(values.every((value: number) => value >= 0)).toBe(true);
    expect(total.body.series[0].points[0].value).toBe(10);
  });
});
