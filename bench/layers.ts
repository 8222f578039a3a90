import { createLogsHandler } from '#functions/logs/handler.js';
import { createMetricsHandler } from '#functions/metrics/handler.js';
import { createOtlpHandler } from '#functions/otlp/handler.js';
import { createTracesHandler } from '#functions/traces/handler.js';
import type { Deps, HttpHandler } from '#shared/deps.js';
import { decodeRequest } from '#shared/otlp/codec.js';
import {
  LOGS_EXPORT,
  METRICS_EXPORT,
  type SignalExport,
  TRACE_EXPORT,
} from '#shared/otlp/export.js';
import type { BatchSpec, Signal } from './data/samples.js';
import { type Format, otlpBody, wireRequest } from './data/wire.js';
import { benchContext, postEvent } from './event.js';
import {
  appendDataChunks,
  appendPerValue,
  createPlainTable,
  readPlainRows,
} from './plain-appender.js';
import { freshDataDir, removeDataDir } from './server.js';
import { median } from './stats.js';
import { type EmbeddedDeps, openEmbeddedDeps } from './stores.js';

/** One layer's cost for one signal, measured in this process. */
export interface LayerResult {
  signal: Signal;
  layer: string;
  items: number;
  itemsPerSecond: number;
  /** Median wall time of one batch, in milliseconds. */
  msPerBatch: number;
  /** Process CPU time (all threads, DuckDB's too) per 1,000 items. */
  cpuMsPerThousandItems: number;
}

export interface LayerSettings {
  batchSize: number;
  /** Measured batches per layer, after one warm-up batch. */
  batches: number;
}

const SPECS: Record<Signal, SignalExport<unknown>> = {
  metrics: METRICS_EXPORT,
  traces: TRACE_EXPORT,
  logs: LOGS_EXPORT,
};

const TABLES: Record<Signal, string> = {
  metrics: 'metric_points',
  traces: 'spans',
  logs: 'logs',
};

function handlerOf(signal: Signal, format: Format, deps: Deps): HttpHandler {
  if (format !== 'api-json') return createOtlpHandler(deps);
  if (signal === 'metrics') return createMetricsHandler(deps);
  if (signal === 'traces') return createTracesHandler(deps);
  return createLogsHandler(deps);
}

/** Items of a batch mapped to the domain model, as OTLP ingest maps them. */
function domainItems(signal: Signal, spec: BatchSpec, deps: Deps): unknown[] {
  return SPECS[signal].map(otlpBody(signal, spec), deps).items;
}

type Step = (batch: number) => Promise<number>;

/**
 * Times `steps`: one warm-up call, then `batches` measured calls. Each
 * call returns the number of items it handled.
 */
async function measure(
  signal: Signal,
  layer: string,
  settings: LayerSettings,
  step: Step,
): Promise<LayerResult> {
  await step(0);
  const durations: number[] = [];
  let items = 0;
  const cpuBefore = process.cpuUsage();
  for (let batch = 1; batch <= settings.batches; batch++) {
    const started = performance.now();
    items += await step(batch);
    durations.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = durations.reduce((sum, d) => sum + d, 0) / 1_000;
  return {
    signal,
    layer,
    items,
    itemsPerSecond: items / seconds,
    msPerBatch: median(durations),
    // cpuUsage is in microseconds, so µs per item equals ms per 1,000.
    cpuMsPerThousandItems: (cpu.user + cpu.system) / items,
  };
}

/**
 * Layers from the outside in. Each gets its own time slot (`baseMs`), so
 * every batch of every layer is new to the store.
 */
function layerSteps(
  signal: Signal,
  embedded: EmbeddedDeps,
  settings: LayerSettings,
  slotBaseMs: (slot: number) => number,
): [string, (slot: number) => Promise<Step>][] {
  const { deps } = embedded;
  const spec = (slot: number, batch: number): BatchSpec => ({
    batch,
    size: settings.batchSize,
    baseMs: slotBaseMs(slot),
  });
  const viaHandler = (format: Format) => async (slot: number) => {
    const handler = handlerOf(signal, format, deps);
    const wires = range(settings).map((b) =>
      wireRequest(signal, format, spec(slot, b)),
    );
    return async (b: number) => {
      const wire = wires[b];
      if (!wire) throw new RangeError(`no request ${b}`);
      const result = await handler(postEvent(wire), benchContext(signal));
      if (result.statusCode !== 200) {
        throw new Error(
          `handler failed with status ${result.statusCode}: ${result.body}`,
        );
      }
      return wire.items;
    };
  };
  const withItems =
    (use: (items: unknown[]) => Promise<unknown>) => async (slot: number) => {
      const batches = range(settings).map((b) =>
        domainItems(signal, spec(slot, b), deps),
      );
      return async (b: number) => {
        const items = batches[b] ?? [];
        await use(items);
        return items.length;
      };
    };
  const decodeOnly = async (slot: number) => {
    const bodies = range(settings).map(
      (b) => wireRequest(signal, 'otlp-protobuf', spec(slot, b)).body,
    );
    return async (b: number) => {
      const decoded = decodeRequest(signal, 'protobuf', bodies[b] as Buffer);
      return SPECS[signal].map(decoded, deps).items.length;
    };
  };
  return [
    ['handler, API JSON', viaHandler('api-json')],
    ['handler, OTLP protobuf', viaHandler('otlp-protobuf')],
    ['OTLP protobuf decode and map only', decodeOnly],
    [
      'ingest function (checks + store)',
      withItems((items) => SPECS[signal].ingest(deps, items)),
    ],
    ['store write', withItems((items) => writeToStore(signal, deps, items))],
  ];
}

function range(settings: LayerSettings): number[] {
  return Array.from({ length: settings.batches + 1 }, (_, b) => b);
}

function writeToStore(signal: Signal, deps: Deps, items: unknown[]) {
  if (signal === 'metrics') return deps.stores.metrics.write(items as never);
  if (signal === 'traces') return deps.stores.traces.write(items as never);
  return deps.stores.logs.write(items as never);
}

/** Measures the floor: the stored rows appended again to a plain table. */
async function appenderLayers(
  signal: Signal,
  embedded: EmbeddedDeps,
  settings: LayerSettings,
): Promise<LayerResult[]> {
  const plain = await embedded.db.transaction((connection) =>
    readPlainRows(connection, TABLES[signal]),
  );
  const perBatch = settings.batchSize;
  const results: LayerResult[] = [];
  const variants = [
    ['plain appender, per value', appendPerValue],
    ['plain appender, data chunks', appendDataChunks],
  ] as const;
  for (const [layer, append] of variants) {
    const table = `bench_plain_${signal}`;
    await embedded.db.transaction((c) => createPlainTable(c, table, plain));
    const step: Step = async (b) => {
      const rows = plain.rows.slice(b * perBatch, (b + 1) * perBatch);
      await embedded.db.transaction((c) => append(c, table, plain, rows));
      return rows.length;
    };
    results.push(await measure(signal, layer, settings, step));
  }
  return results;
}

/**
 * Measures each layer of ingest in this process on a fresh file
 * database per signal: the Lambda handler with an API Gateway event, the
 * OTLP decoder, the ingest function, the store's write and a plain
 * appender of the same rows.
 */
export async function benchLayers(
  signals: readonly Signal[],
  settings: LayerSettings,
  progress: (line: string) => void,
): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  const nowMs = Date.now();
  const slotBaseMs = (slot: number) =>
    nowMs - 72 * 3_600_000 + slot * 6 * 3_600_000;
  for (const signal of signals) {
    const dataDir = freshDataDir();
    const embedded = await openEmbeddedDeps(dataDir);
    try {
      const layers = layerSteps(signal, embedded, settings, slotBaseMs);
      for (const [slot, [layer, prepare]] of layers.entries()) {
        const step = await prepare(slot);
        const result = await measure(signal, layer, settings, step);
        results.push(result);
        progress(
          `layer ${signal} ${layer}: ${Math.round(result.itemsPerSecond)} items/s`,
        );
      }
      results.push(...(await appenderLayers(signal, embedded, settings)));
    } finally {
      await embedded.close();
      removeDataDir(dataDir);
    }
  }
  return results;
}
