import type { AwsOperation, AwsResult } from './aws.js';
import type { Signal } from './data/samples.js';
import type { HttpIngestCase, SignalProfile } from './ingest-http.js';
import type { LambdaResult } from './lambda.js';
import type { LayerResult } from './layers.js';
import type { QueryResult } from './query.js';
import type { BenchFigures, BenchResults, LoadedDataset } from './results.js';
import { type Column, markdownTable } from './table.js';

/**
 * Throughput that products of this kind advertise for one node, in
 * items per second, and their query latency goal.
 */
export const TARGETS: Record<Signal, { perSecond: number; noun: string }> = {
  metrics: { perSecond: 100_000, noun: 'metric points' },
  logs: { perSecond: 50_000, noun: 'log lines' },
  traces: { perSecond: 10_000, noun: 'spans' },
};
export const QUERY_P95_TARGET_MS = 100;

const MB = 1e6;

function percentOf(value: number, target: number): string {
  return `${((value / target) * 100).toFixed(1)}%`;
}

function httpTable(cases: HttpIngestCase[]): string {
  const columns: Column<HttpIngestCase>[] = [
    { header: 'signal', value: (c) => c.signal },
    { header: 'format', value: (c) => c.format },
    { header: 'items/s', value: (c) => c.itemsPerSecond },
    { header: 'wire MB/s', value: (c) => c.wireMBPerSecond, digits: 2 },
    { header: 'raw MB/s', value: (c) => c.rawMBPerSecond, digits: 2 },
    { header: 'request p95 ms', value: (c) => c.latencyMs.p95 },
    { header: 'server CPU ms/1k', value: (c) => c.cpuMsPerThousandItems },
    { header: 'server cores', value: (c) => c.serverCores, digits: 2 },
    { header: 'peak RSS MB', value: (c) => c.serverPeakRssBytes / MB },
    {
      header: 'of target',
      value: (c) => percentOf(c.itemsPerSecond, TARGETS[c.signal].perSecond),
    },
    {
      header: 'failures',
      value: (c) => (c.failures.length ? (c.failures[0] ?? '') : ''),
    },
  ];
  return markdownTable(columns, cases);
}

/**
 * Rows of the HTTP cases in the shape of layer rows, so the layer table
 * starts from the outermost layer. Their "ms/batch" is the median
 * request latency, with other requests in flight.
 */
function httpLayers(cases: HttpIngestCase[]): LayerResult[] {
  const shown: Record<string, string> = {
    'api-json': 'HTTP server, API JSON',
    'otlp-protobuf': 'HTTP server, OTLP protobuf',
  };
  return cases
    .filter((c) => shown[c.format] !== undefined)
    .map((c) => ({
      signal: c.signal,
      layer: shown[c.format] ?? c.format,
      items: c.items,
      itemsPerSecond: c.itemsPerSecond,
      msPerBatch: c.latencyMs.p50,
      cpuMsPerThousandItems: c.cpuMsPerThousandItems,
    }));
}

function layerTable(figures: BenchFigures): string {
  const http = httpLayers(figures.http);
  const rows = figures.layers.flatMap((layer, i, all) => {
    const first = all.findIndex((l) => l.signal === layer.signal) === i;
    const outer = http.filter((h) => h.signal === layer.signal);
    return first ? [...outer, layer] : [layer];
  });
  const floor = (signal: Signal) =>
    figures.layers.find(
      (l) => l.signal === signal && l.layer === 'plain appender, per value',
    )?.cpuMsPerThousandItems ?? Number.NaN;
  const columns: Column<LayerResult>[] = [
    { header: 'signal', value: (l) => l.signal },
    { header: 'layer', value: (l) => l.layer },
    { header: 'items/s', value: (l) => l.itemsPerSecond },
    { header: 'ms/batch', value: (l) => l.msPerBatch, digits: 1 },
    { header: 'CPU ms/1k', value: (l) => l.cpuMsPerThousandItems, digits: 1 },
    {
      header: 'CPU x appender',
      value: (l) => l.cpuMsPerThousandItems / floor(l.signal),
      digits: 1,
    },
  ];
  return markdownTable(columns, rows);
}

function queryTable(queries: QueryResult[]): string {
  const columns: Column<QueryResult>[] = [
    { header: 'data set', value: (q) => q.dataset },
    { header: 'query', value: (q) => q.query },
    { header: 'p50 ms', value: (q) => q.latencyMs.p50, digits: 1 },
    { header: 'p95 ms', value: (q) => q.latencyMs.p95, digits: 1 },
    { header: 'p99 ms', value: (q) => q.latencyMs.p99, digits: 1 },
    { header: 'rows', value: (q) => q.found },
    {
      header: `p95 < ${QUERY_P95_TARGET_MS} ms`,
      value: (q) => (q.latencyMs.p95 < QUERY_P95_TARGET_MS ? 'yes' : 'no'),
    },
  ];
  return markdownTable(columns, queries);
}

function datasetTable(datasets: LoadedDataset[]): string {
  const columns: Column<LoadedDataset>[] = [
    { header: 'data set', value: (d) => d.name },
    { header: 'metric points', value: (d) => d.metricPoints },
    { header: 'log records', value: (d) => d.logRecords },
    { header: 'traces', value: (d) => d.traces },
    { header: 'spans', value: (d) => d.spans },
    { header: 'load s', value: (d) => d.loadSeconds, digits: 1 },
  ];
  return markdownTable(columns, datasets);
}

type AwsRow = AwsOperation & { store: string; layout: string; items: number };

function awsTable(results: AwsResult[]): string {
  const rows: AwsRow[] = results.flatMap((r) =>
    r.operations.map((op) => ({
      ...op,
      store: r.store,
      layout: r.layout,
      items: r.items,
    })),
  );
  const columns: Column<AwsRow>[] = [
    { header: 'store', value: (r) => r.store },
    { header: 'data', value: (r) => r.layout },
    { header: 'items sent', value: (r) => r.items },
    { header: 'operation', value: (r) => r.operation },
    { header: 'calls', value: (r) => r.calls },
    { header: 'items/call', value: (r) => r.itemsPerCall, digits: 1 },
    { header: 'KB/call', value: (r) => r.bytesPerCall / 1e3, digits: 1 },
    {
      header: 'calls per 1M items (extrapolated)',
      value: (r) => r.callsPerMillionItems,
    },
  ];
  const totals = results
    .map(
      (r) =>
        `${r.store}${r.layout ? `, ${r.layout}` : ''}: ` +
        `${Math.round(r.requestsPerMillionItems).toLocaleString('en-US')} ` +
        `requests per million ${TARGETS[r.signal].noun} (extrapolated from ` +
        `${r.items.toLocaleString('en-US')} in ${r.seconds.toFixed(1)} s)`,
    )
    .join('\n');
  return `${markdownTable(columns, rows)}\n\n${totals}`;
}

function handlerWork(
  figures: BenchFigures,
  batchSize: number,
  name: string,
): string {
  const layer = (signal: Signal, label: string) =>
    figures.layers.find((l) => l.signal === signal && l.layer === label)
      ?.msPerBatch;
  const batch = (ms: number | undefined) =>
    ms === undefined ? '-' : `${ms.toFixed(0)} ms`;
  const perBatch = `per ${batchSize.toLocaleString('en-US')}`;
  if (name === 'metrics' || name === 'traces' || name === 'logs') {
    const noun = TARGETS[name].noun;
    return `${batch(layer(name, 'handler, API JSON'))} ${perBatch} ${noun} (API JSON)`;
  }
  if (name === 'otlp') {
    const times = (['metrics', 'traces', 'logs'] as const).map((s) =>
      batch(layer(s, 'handler, OTLP protobuf')),
    );
    return `${times.join(' / ')} ${perBatch} points / spans / logs (protobuf)`;
  }
  const other = figures.handlers.find((h) => h.name === name);
  return other ? `${other.msPerInvocation.toFixed(2)} ms: ${other.work}` : '-';
}

function lambdaTable(results: BenchResults): string {
  const { figures } = results;
  const batchSize = results.settings.layers.batchSize;
  const columns: Column<LambdaResult>[] = [
    { header: 'function', value: (l) => l.name },
    { header: 'bundle KiB', value: (l) => l.bundleBytes / 1024 },
    { header: 'gzip KiB', value: (l) => l.gzipBytes / 1024 },
    { header: 'import ms', value: (l) => l.importMs },
    { header: 'init ms', value: (l) => l.initMs },
    {
      header: 'handler time',
      value: (l) => handlerWork(figures, batchSize, l.name),
    },
  ];
  return markdownTable(columns, figures.lambdas);
}

interface TargetRow {
  target: string;
  measured: string;
  met: string;
}

function bestIngest(cases: HttpIngestCase[], signal: Signal) {
  const own = cases.filter((c) => c.signal === signal);
  return own.sort((a, b) => b.itemsPerSecond - a.itemsPerSecond)[0];
}

function targetTable(figures: BenchFigures): string {
  const rows: TargetRow[] = [];
  for (const signal of ['metrics', 'logs', 'traces'] as const) {
    const best = bestIngest(figures.http, signal);
    if (!best) continue;
    const target = TARGETS[signal];
    rows.push({
      target: `${target.perSecond.toLocaleString('en-US')} ${target.noun}/s`,
      measured: `${Math.round(best.itemsPerSecond).toLocaleString('en-US')}/s (best format: ${best.format})`,
      met: best.itemsPerSecond >= target.perSecond ? 'yes' : 'no',
    });
  }
  if (figures.queries.length > 0) {
    const worst = [...figures.queries].sort(
      (a, b) => b.latencyMs.p95 - a.latencyMs.p95,
    )[0] as QueryResult;
    const met = figures.queries.filter(
      (q) => q.latencyMs.p95 < QUERY_P95_TARGET_MS,
    ).length;
    rows.push({
      target: `query p95 < ${QUERY_P95_TARGET_MS} ms`,
      measured: `${met} of ${figures.queries.length} queries; worst ${worst.latencyMs.p95.toFixed(0)} ms (${worst.query}, ${worst.dataset})`,
      met: met === figures.queries.length ? 'yes' : 'no',
    });
  }
  return markdownTable(
    [
      { header: 'target', value: (r) => r.target },
      { header: 'measured', value: (r) => r.measured },
      { header: 'met', value: (r) => r.met },
    ],
    rows,
  );
}

function profileTables(profile: SignalProfile): string {
  const { summary } = profile;
  const areas = markdownTable(
    [
      { header: 'area', value: (a) => a.area },
      { header: 'self ms', value: (a) => a.selfMs },
      { header: '%', value: (a) => a.percent, digits: 1 },
    ],
    summary.areas,
  );
  const functions = markdownTable(
    [
      { header: 'function', value: (f) => f.function },
      { header: 'location', value: (f) => f.location },
      { header: 'self ms', value: (f) => f.ms },
      { header: '%', value: (f) => f.percent, digits: 1 },
    ],
    summary.functions,
  );
  const inclusive = markdownTable(
    [
      { header: 'project function', value: (f) => f.function },
      { header: 'location', value: (f) => f.location },
      { header: 'total ms', value: (f) => f.ms },
      { header: '%', value: (f) => f.percent, digits: 1 },
    ],
    summary.inclusive,
  );
  return [
    `${profile.signal}, ${profile.format}: ${summary.file}`,
    areas,
    functions,
    inclusive,
  ].join('\n\n');
}

/** Renders the results as the Markdown that the benchmark prints. */
export function renderReport(results: BenchResults): string {
  const { figures, machine } = results;
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const parts = [
    `# Observatory benchmark (${results.mode}, ${results.runs} run(s), medians)`,
    `${machine.nproc} CPUs (${machine.cpuModel}), ` +
      `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node}; ` +
      `load average ${load(machine.loadAverage)} at start, ` +
      `${load(results.loadAverageAtEnd)} at end; ` +
      `${results.durationSeconds.toFixed(0)} s`,
  ];
  const section = (title: string, body: string, show: boolean) => {
    if (show) parts.push(`## ${title}`, body);
  };
  section('Targets', targetTable(figures), true);
  section('Ingest over HTTP', httpTable(figures.http), figures.http.length > 0);
  section(
    'Server CPU profiles (profiled run: throughput above is slowed)',
    figures.profiles.map(profileTables).join('\n\n'),
    figures.profiles.length > 0,
  );
  section(
    'Ingest layers in process',
    layerTable(figures),
    figures.layers.length > 0,
  );
  section(
    'Query data',
    datasetTable(figures.datasets),
    figures.datasets.length > 0,
  );
  section(
    'Query latency over HTTP',
    queryTable(figures.queries),
    figures.queries.length > 0,
  );
  section(
    'AWS adapters on fakes',
    awsTable(figures.aws),
    figures.aws.length > 0,
  );
  section(
    `Lambda bundles (empty Node process: ${figures.lambdaBaselineMs.toFixed(0)} ms)`,
    lambdaTable(results),
    figures.lambdas.length > 0,
  );
  return parts.join('\n\n');
}
