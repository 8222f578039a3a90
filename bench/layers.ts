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
  type PlainRows,
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

/** Builds the timed step of one layer on `deps`, with its batches. */
type Prepare = (deps: Deps) => Promise<Step>;

/** Lists the layers from the outside in, each with its timed step. */
function layerSteps(
  signal: Signal,
  settings: LayerSettings,
  baseMs: number,
): [string, Prepare][] {
  const spec = (batch: number): BatchSpec => ({
    batch,
    size: settings.batchSize,
    baseMs,
  });
  const viaHandler =
    (format: Format): Prepare =>
    async (deps) => {
      const handler = handlerOf(signal, format, deps);
      const wires = range(settings).map((b) =>
        wireRequest(signal, format, spec(b)),
      );
      return async (b) => {
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
    (use: (deps: Deps, items: unknown[]) => Promise<unknown>): Prepare =>
    async (deps) => {
      const batches = range(settings).map((b) =>
        domainItems(signal, spec(b), deps),
      );
      return async (b) => {
        const items = batches[b] ?? [];
        await use(deps, items);
        return items.length;
      };
    };
  const decodeOnly: Prepare = async (deps) => {
    const bodies = range(settings).map(
      (b) => wireRequest(signal, 'otlp-protobuf', spec(b)).body,
    );
    return async (b) => {
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
      withItems((deps, items) => SPECS[signal].ingest(deps, items)),
    ],
    [
      STORE_LAYER,
      withItems((deps, items) => writeToStore(signal, deps, items)),
    ],
  ];
}

const STORE_LAYER = 'store write';

function range(settings: LayerSettings): number[] {
  return Array.from({ length: settings.batches + 1 }, (_, b) => b);
}

function writeToStore(signal: Signal, deps: Deps, items: unknown[]) {
  if (signal === 'metrics') return deps.stores.metrics.write(items as never);
  if (signal === 'traces') return deps.stores.traces.write(items as never);
  return deps.stores.logs.write(items as never);
}

/** Runs `work` on a fresh embedded database, removed afterwards. */
async function withFreshDatabase<T>(
  work: (embedded: EmbeddedDeps) => Promise<T>,
): Promise<T> {
  const dataDir = freshDataDir();
  const embedded = await openEmbeddedDeps(dataDir);
  try {
    return await work(embedded);
  } finally {
    await embedded.close();
    removeDataDir(dataDir);
  }
}

/**
 * Measures the floor: the rows that the store layer wrote, appended
 * again to a plain table of the same columns in a fresh database.
 */
async function appenderLayers(
  signal: Signal,
  plain: PlainRows,
  settings: LayerSettings,
): Promise<LayerResult[]> {
  const perBatch = settings.batchSize;
  const results: LayerResult[] = [];
  const variants = [
    ['plain appender, per value', appendPerValue],
    ['plain appender, data chunks', appendDataChunks],
  ] as const;
  for (const [layer, append] of variants) {
    const result = await withFreshDatabase(async ({ db }) => {
      const table = `bench_plain_${signal}`;
      await db.transaction((c) => createPlainTable(c, table, plain));
      const step: Step = async (b) => {
        const rows = plain.rows.slice(b * perBatch, (b + 1) * perBatch);
        await db.transaction((c) => append(c, table, plain, rows));
        return rows.length;
      };
      return measure(signal, layer, settings, step);
    });
    results.push(result);
  }
  return results;
}

/**
 * Measures each layer of ingest in this process: the Lambda handler with
 * an API Gateway event, the OTLP decoder, the ingest function, the
 * store's write and a plain appender of the rows the store wrote. Each
 * layer gets a fresh file database, so none pays for another's rows.
 */
export async function benchLayers(
  signals: readonly Signal[],
  settings: LayerSettings,
  progress: (line: string) => void,
): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  const baseMs = Date.now() - 72 * 3_600_000;
  for (const signal of signals) {
    let stored: PlainRows | undefined;
    for (const [layer, prepare] of layerSteps(signal, settings, baseMs)) {
      const result = await withFreshDatabase(async ({ deps, db }) => {
        const measured = await measure(
          signal,
          layer,
          settings,
          await prepare(deps),
        );
        if (layer === STORE_LAYER) {
          stored = await db.transaction((c) =>
            readPlainRows(c, TABLES[signal]),
          );
        }
        return measured;
      });
      results.push(result);
      progress(
        `layer ${signal} ${layer}: ${Math.round(result.itemsPerSecond)} items/s`,
      );
    }
    if (stored)
      results.push(...(await appenderLayers(signal, stored, settings)));
  }
  return results;
}
