import { createHash } from 'node:crypto';

/** The three telemetry signals Observatory ingests. */
export type Signal = 'metrics' | 'traces' | 'logs';

export const SIGNALS: readonly Signal[] = ['metrics', 'traces', 'logs'];

/**
 * Position of one generated batch. `batch` must be unique within a
 * database, so every batch contains new items and none is skipped as a
 * repeat. Timestamps of batch `b` start at `baseMs + b * STEP_MS`.
 */
export interface BatchSpec {
  batch: number;
  size: number;
  baseMs: number;
  /**
   * Spread of metric points over series: `mixed` (the default) covers 10
   * services, 10 metrics and `size / 100` hosts, and `one-metric` covers
   * `size` hosts of one gauge of one service.
   */
  metricLayout?: 'mixed' | 'one-metric';
}

/** Milliseconds between two consecutive batches of one series. */
export const STEP_MS = 1_000;

export const SERVICES = Array.from({ length: 10 }, (_, i) => `svc-${i}`);

/** Hashes three integers to a number in [0, 1). */
export function unitHash(a: number, b: number, c = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 15), 0x27d4eb2d) ^ Math.imul(c, 0x165667b1);
  h ^= h >>> 13;
  return (h >>> 0) / 4_294_967_296;
}

export function hexId(text: string, digits: 16 | 32): string {
  return createHash('md5').update(text).digest('hex').slice(0, digits);
}

export function batchTimeMs(spec: BatchSpec): number {
  return spec.baseMs + spec.batch * STEP_MS;
}

// Metric points.

export type MetricKind = 'gauge' | 'counter' | 'histogram';

export interface HistogramSample {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface MetricSample {
  service: string;
  name: string;
  kind: MetricKind;
  unit: string;
  labels: Record<string, string>;
  timeMs: number;
  startMs: number;
  value: number;
  histogram?: HistogramSample;
}

/** Ten metric names per service: gauges, counters and histograms. */
const METRICS: { name: string; kind: MetricKind; unit: string }[] = [
  { name: 'process.cpu.utilization', kind: 'gauge', unit: '1' },
  { name: 'http.server.requests', kind: 'counter', unit: '1' },
  { name: 'http.server.duration', kind: 'histogram', unit: 'ms' },
  { name: 'process.memory.usage', kind: 'gauge', unit: 'By' },
  { name: 'http.server.errors', kind: 'counter', unit: '1' },
  { name: 'db.client.duration', kind: 'histogram', unit: 'ms' },
  { name: 'queue.depth', kind: 'gauge', unit: '1' },
  { name: 'messages.processed', kind: 'counter', unit: '1' },
  { name: 'runtime.gc.pause', kind: 'histogram', unit: 'ms' },
  { name: 'cache.hit.ratio', kind: 'gauge', unit: '1' },
];

const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000];

function histogramOf(seed: number, spec: BatchSpec, i: number) {
  const counts = BOUNDS.map((_, k) => Math.floor(unitHash(seed, i, k) * 20));
  counts.push(Math.floor(unitHash(seed, i, 99) * 3));
  const count = counts.reduce((sum, n) => sum + n, 0);
  const mean = 20 + unitHash(spec.batch, i, 7) * 200;
  return {
    bounds: BOUNDS,
    counts,
    count,
    sum: Math.round(mean * count * 100) / 100,
    min: 1,
    max: 2000,
  };
}

/**
 * Builds `size` metric points of batch `spec.batch`, one per series. In
 * the mixed layout the series of point `i` is service `i % 10`, metric
 * `(i / 10) % 10` and host `i / 100`, so 1,000 points cover 10 services,
 * 10 metrics and 10 hosts: 10 points per service and metric.
 */
export function metricSamples(spec: BatchSpec): MetricSample[] {
  const timeMs = batchTimeMs(spec);
  const single = spec.metricLayout === 'one-metric';
  return Array.from({ length: spec.size }, (_, i) => {
    const metric = METRICS[single ? 0 : Math.floor(i / 10) % METRICS.length];
    if (!metric) throw new RangeError('no metric');
    const host = single ? i : Math.floor(i / 100);
    const sample: MetricSample = {
      service: single ? 'svc-0' : (SERVICES[i % SERVICES.length] ?? 'svc-0'),
      name: metric.name,
      kind: metric.kind,
      unit: metric.unit,
      labels: { host: `host-${host}`, region: 'eu-west-1' },
      timeMs,
      startMs: spec.baseMs - 3_600_000,
      value: Math.round(unitHash(spec.batch, i) * 10_000) / 4,
    };
    if (metric.kind === 'counter') sample.value += spec.batch * 10_000;
    if (metric.kind === 'histogram') {
      sample.histogram = histogramOf(spec.batch, spec, i);
    }
    return sample;
  });
}

// Spans.

export interface SpanSample {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  name: string;
  kind: 'server' | 'client' | 'internal';
  startNs: bigint;
  endNs: bigint;
  error: boolean;
  attributes: Record<string, string | number>;
}

/** The five spans of every generated trace, parent first. */
const TRACE_SHAPE = [
  { service: 'frontend', name: 'GET /checkout', kind: 'server', parent: -1 },
  { service: 'frontend', name: 'POST orders', kind: 'client', parent: 0 },
  { service: 'orders', name: 'POST /orders', kind: 'server', parent: 1 },
  { service: 'orders', name: 'SELECT orders', kind: 'client', parent: 2 },
  { service: 'inventory', name: 'GET /stock', kind: 'server', parent: 2 },
] as const;

export const SPANS_PER_TRACE = TRACE_SHAPE.length;

function traceSpans(spec: BatchSpec, trace: number): SpanSample[] {
  const key = `${spec.baseMs}:${spec.batch}:${trace}`;
  const traceId = hexId(`trace:${key}`, 32);
  const ids = TRACE_SHAPE.map((_, k) => hexId(`span:${key}:${k}`, 16));
  const startNs =
    BigInt(batchTimeMs(spec)) * 1_000_000n + BigInt(trace) * 1_000n;
  const failed = unitHash(spec.batch, trace) < 0.02;
  return TRACE_SHAPE.map((shape, k) => {
    const offset = BigInt(k) * 2_000_000n;
    const duration = BigInt(
      Math.floor((40 - k * 6) * 1e6 * (0.5 + unitHash(trace, k))),
    );
    return {
      traceId,
      spanId: ids[k] ?? '',
      parentId: shape.parent < 0 ? null : (ids[shape.parent] ?? null),
      service: shape.service,
      name: shape.name,
      kind: shape.kind,
      startNs: startNs + offset,
      endNs: startNs + offset + duration,
      error: failed && k >= 2,
      attributes: {
        'http.request.method': k === 3 ? 'SELECT' : 'GET',
        'http.response.status_code': failed && k >= 2 ? 500 : 200,
        'customer.id': `c-${(spec.batch * 7 + trace) % 5_000}`,
      },
    };
  });
}

/** Builds about `size` spans: whole traces of {@link SPANS_PER_TRACE}. */
export function spanSamples(spec: BatchSpec): SpanSample[] {
  const traces = Math.max(1, Math.round(spec.size / SPANS_PER_TRACE));
  return Array.from({ length: traces }, (_, t) => traceSpans(spec, t)).flat();
}

// Log records.

export interface LogSample {
  service: string;
  timeNs: bigint;
  level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';
  severityNumber: number;
  message: string;
  traceId: string | null;
  spanId: string | null;
  attributes: Record<string, string | number>;
}

/** Message templates; `#` is replaced by a number. */
const MESSAGES = [
  'GET /api/orders/# completed in # ms with status 200',
  'payment declined: card expired for customer #',
  'connection reset by peer while calling upstream inventory (attempt #)',
  'cache miss for key user:#, loading from database',
  'request # exceeded the latency budget of 500 ms',
  'worker # picked up job from queue orders-high',
];

const LEVELS = [
  { level: 'INFO', number: 9 },
  { level: 'INFO', number: 9 },
  { level: 'WARN', number: 13 },
  { level: 'DEBUG', number: 5 },
  { level: 'ERROR', number: 17 },
  { level: 'INFO', number: 9 },
] as const;

function messageOf(template: string, seed: number): string {
  let n = seed;
  return template.replace(/#/g, () => {
    n = (n * 31 + 7) % 10_000;
    return String(n);
  });
}

/** Builds `size` log records, each with a distinct time. */
export function logSamples(spec: BatchSpec): LogSample[] {
  const baseNs = BigInt(batchTimeMs(spec)) * 1_000_000n;
  return Array.from({ length: spec.size }, (_, i) => {
    const kind = (spec.batch + i) % MESSAGES.length;
    const level = LEVELS[kind] ?? LEVELS[0];
    const traced = i % 4 !== 0;
    return {
      service: SERVICES[i % SERVICES.length] ?? 'svc-0',
      timeNs: baseNs + BigInt(i) * 1_000n,
      level: level.level,
      severityNumber: level.number,
      message: messageOf(MESSAGES[kind] ?? '', spec.batch * 10_007 + i),
      traceId: traced
        ? hexId(`log-trace:${spec.baseMs}:${spec.batch}:${i}`, 32)
        : null,
      spanId: traced
        ? hexId(`log-span:${spec.baseMs}:${spec.batch}:${i}`, 16)
        : null,
      attributes: { 'code.function': `handler${i % 20}`, 'thread.id': i % 8 },
    };
  });
}
