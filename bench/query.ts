import {
  type LoadedData,
  loadQueryData,
  type QueryDataSize,
} from './query-data.js';
import {
  BENCH_ADMIN_KEY,
  freshDataDir,
  removeDataDir,
  startBenchServer,
} from './server.js';
import { type Latency, latencyOf } from './stats.js';

/** Latency of one kind of query over HTTP against one data set. */
export interface QueryResult {
  dataset: string;
  query: string;
  request: string;
  latencyMs: Latency;
  /** A number from the last response, to show the query found data. */
  found: number;
}

export interface QuerySettings {
  /** Measured requests per query, after two warm-up requests. */
  repeats: number;
}

interface QuerySpec {
  name: string;
  /** Builds request `i`; reads by id use a different trace each time. */
  request(i: number): { method: 'GET' | 'POST'; path: string; body?: unknown };
  found(body: ResponseBody): number;
}

/** The parts of the query responses that show how much was found. */
interface ResponseBody {
  series?: { points?: unknown[] }[];
  logs?: unknown[];
  span_count?: number;
  traces?: unknown[];
}

const HOUR_MS = 3_600_000;

function metricQueries(data: LoadedData): QuerySpec[] {
  const range = { start: data.endMs - HOUR_MS, end: data.endMs + 60_000 };
  return [
    {
      name: 'metric range query, avg per host, 1m buckets, last hour',
      request: () => ({
        method: 'POST',
        path: '/api/observatory/metrics/query',
        body: {
          service: 'svc-0',
          metric_name: 'process.cpu.utilization',
          aggregation: 'avg',
          interval: '1m',
          group_by: ['host'],
          ...range,
        },
      }),
      found: (body) => body.series?.length ?? 0,
    },
    {
      name: 'metric percentile query, p95 of all hosts, 5m buckets, last hour',
      request: () => ({
        method: 'POST',
        path: '/api/observatory/metrics/query',
        body: {
          service: 'svc-0',
          metric_name: 'process.cpu.utilization',
          aggregation: 'p95',
          interval: '5m',
          group_by: [],
          ...range,
        },
      }),
      found: (body) => body.series?.[0]?.points?.length ?? 0,
    },
  ];
}

function logQueries(data: LoadedData): QuerySpec[] {
  const range = { start: data.endMs - HOUR_MS, end: data.endMs + 60_000 };
  const search = (query: string) => () => ({
    method: 'POST' as const,
    path: '/api/observatory/logs/search',
    body: { query, limit: 100, ...range },
  });
  return [
    {
      name: 'log full-text search, phrase and word, last hour',
      request: search('"connection reset" upstream'),
      found: (body) => body.logs?.length ?? 0,
    },
    {
      name: 'log full-text search with no match, last hour',
      request: search('"disk quota exceeded"'),
      found: (body) => body.logs?.length ?? 0,
    },
  ];
}

function traceQueries(data: LoadedData): QuerySpec[] {
  const ids = data.sampleTraceIds;
  return [
    {
      name: 'trace by id',
      request: (i) => ({
        method: 'GET',
        path: `/api/observatory/traces/${ids[i % ids.length]}`,
      }),
      found: (body) => body.span_count ?? 0,
    },
    {
      name: 'traces of a service, newest 20, last hour',
      request: () => ({
        method: 'GET',
        path:
          '/api/observatory/traces/service/frontend?limit=20' +
          `&start=${data.endMs - HOUR_MS}&end=${data.endMs + 60_000}`,
      }),
      found: (body) => body.traces?.length ?? 0,
    },
  ];
}

async function send(url: string, spec: ReturnType<QuerySpec['request']>) {
  const response = await fetch(new URL(spec.path, url), {
    method: spec.method,
    headers: {
      'content-type': 'application/json',
      'x-api-key': BENCH_ADMIN_KEY,
    },
    body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(
      `${spec.method} ${spec.path} failed with status ${response.status}: ` +
        text.slice(0, 300),
    );
  }
  return JSON.parse(text) as ResponseBody;
}

async function runQuery(url: string, spec: QuerySpec, settings: QuerySettings) {
  for (let i = 0; i < 2; i++) await send(url, spec.request(i));
  const durations: number[] = [];
  let body: ResponseBody = {};
  for (let i = 0; i < settings.repeats; i++) {
    const request = spec.request(i + 2);
    const started = performance.now();
    body = await send(url, request);
    durations.push(performance.now() - started);
  }
  return { latencyMs: latencyOf(durations), found: spec.found(body) };
}

/**
 * Loads one data set into a fresh database, starts a server on it and
 * times each query over HTTP, one request at a time.
 */
export async function benchQueries(
  dataset: string,
  size: QueryDataSize,
  settings: QuerySettings,
  progress: (line: string) => void,
): Promise<{ data: LoadedData; results: QueryResult[] }> {
  const dataDir = freshDataDir();
  try {
    const data = await loadQueryData(dataDir, size);
    progress(
      `query data ${dataset}: ${data.metricPoints} points, ${data.logRecords} logs, ` +
        `${data.traces} traces loaded in ${data.loadSeconds.toFixed(1)} s`,
    );
    const server = await startBenchServer(dataDir);
    const results: QueryResult[] = [];
    try {
      const specs = [
        ...metricQueries(data),
        ...(data.logRecords > 0 ? logQueries(data) : []),
        ...(data.traces > 0 ? traceQueries(data) : []),
      ];
      for (const spec of specs) {
        const measured = await runQuery(server.url, spec, settings);
        const sample = spec.request(0);
        results.push({
          dataset,
          query: spec.name,
          request: `${sample.method} ${sample.path.split('?')[0]}`,
          ...measured,
        });
        progress(
          `query ${dataset} ${spec.name}: p95 ${measured.latencyMs.p95.toFixed(1)} ms`,
        );
      }
    } finally {
      await server.stop();
    }
    return { data, results };
  } finally {
    removeDataDir(dataDir);
  }
}
