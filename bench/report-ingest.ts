import type { Signal } from './data/samples.js';
import type { HttpIngestCase, SignalProfile } from './ingest-http.js';
import type { LayerResult } from './layers.js';
import type { BenchFigures } from './results.js';
import { type Column, markdownTable } from './table.js';
import { TARGETS } from './targets.js';

const MB = 1e6;

function percentOf(value: number, target: number): string {
  return `${((value / target) * 100).toFixed(1)}%`;
}

/** Renders the HTTP ingest cases as a Markdown table. */
export function httpTable(cases: HttpIngestCase[]): string {
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
  const labels: Record<string, string> = {
    'api-json': 'HTTP server, API JSON',
    'otlp-protobuf': 'HTTP server, OTLP protobuf',
  };
  return cases
    .filter((c) => labels[c.format] !== undefined)
    .map((c) => ({
      signal: c.signal,
      layer: labels[c.format] ?? c.format,
      items: c.items,
      itemsPerSecond: c.itemsPerSecond,
      msPerBatch: c.latencyMs.p50,
      cpuMsPerThousandItems: c.cpuMsPerThousandItems,
    }));
}

/**
 * Renders the ingest layers of each signal, the HTTP server first, with
 * each layer's CPU time per item relative to the plain appender's.
 */
export function layerTable(figures: BenchFigures): string {
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

/** Renders the tables of one server CPU profile. */
export function profileTables(profile: SignalProfile): string {
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
