import type { AwsOperation, AwsResult } from './aws.js';
import type { Signal } from './data/samples.js';
import type { HttpIngestCase } from './ingest-http.js';
import type { LambdaResult } from './lambda.js';
import type { QueryResult } from './query.js';
import { httpTable, layerTable, profileTables } from './report-ingest.js';
import type { BenchFigures, BenchResults, LoadedDataset } from './results.js';
import { type Column, markdownTable } from './table.js';
import { QUERY_P95_TARGET_MS, TARGETS } from './targets.js';

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
