/**
 * The load client of the HTTP ingest benchmark, run as a child process
 * so that its CPU use does not count toward the server's. The parent
 * sends a {@link LoadJob}; the client builds every request body first,
 * sends the warm-up requests, reports `ready`, and on `go` sends the
 * measured requests with `concurrency` in flight, then reports a
 * {@link LoadResult}.
 */
import { Agent, request } from 'node:http';
import type { BatchSpec, Signal } from './data/samples.js';
import { type Format, type WireRequest, wireRequest } from './data/wire.js';

export interface LoadJob {
  url: string;
  apiKey: string;
  signal: Signal;
  format: Format;
  warmup: BatchSpec[];
  measured: BatchSpec[];
  concurrency: number;
}

export interface LoadResult {
  items: number;
  /** Request bytes on the wire, bodies only. */
  bytes: number;
  /** Uncompressed body bytes (equal to `bytes` unless gzip). */
  rawBytes: number;
  wallMs: number;
  latenciesMs: number[];
  /** Requests that failed or reported rejected items, with the reason. */
  failures: string[];
}

export type ClientMessage =
  | { type: 'ready' }
  | { type: 'done'; result: LoadResult }
  | { type: 'error'; message: string };

interface Response {
  status: number;
  body: string;
}

function send(
  agent: Agent,
  job: LoadJob,
  wire: WireRequest,
): Promise<Response> {
  const url = new URL(wire.path, job.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...wire.headers,
          'content-length': wire.body.length,
          'x-api-key': job.apiKey,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(wire.body);
  });
}

/**
 * Explains why a response does not accept every item, or returns
 * undefined. Our API returns `{accepted, rejected}`. OTLP returns `{}` or
 * an empty protobuf message when nothing was rejected.
 */
function problemOf(response: Response, wire: WireRequest): string | undefined {
  if (response.status !== 200) {
    return `HTTP ${response.status}: ${response.body.slice(0, 300)}`;
  }
  if (wire.headers['content-type'] === 'application/x-protobuf') {
    return response.body.length === 0
      ? undefined
      : 'partial success in a protobuf response';
  }
  const body = JSON.parse(response.body) as {
    accepted?: number;
    rejected?: unknown[];
    partialSuccess?: unknown;
  };
  if (body.partialSuccess) {
    return `partial success: ${JSON.stringify(body.partialSuccess)}`;
  }
  if (body.accepted !== undefined && body.accepted !== wire.items) {
    const first = JSON.stringify(body.rejected?.[0]);
    return `accepted ${body.accepted} of ${wire.items}; first: ${first}`;
  }
  return undefined;
}

async function runAll(
  agent: Agent,
  job: LoadJob,
  wires: WireRequest[],
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < wires.length) {
      const wire = wires[next++] as WireRequest;
      const started = performance.now();
      const response = await send(agent, job, wire);
      latenciesMs.push(performance.now() - started);
      const problem = problemOf(response, wire);
      if (problem) failures.push(problem);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const wallMs = performance.now() - started;
  return {
    items: wires.reduce((sum, wire) => sum + wire.items, 0),
    bytes: wires.reduce((sum, wire) => sum + wire.body.length, 0),
    rawBytes: 0,
    wallMs,
    latenciesMs,
    failures,
  };
}

function rawSize(job: LoadJob, spec: BatchSpec): number {
  const format =
    job.format === 'otlp-protobuf-gzip' ? 'otlp-protobuf' : job.format;
  return wireRequest(job.signal, format, spec).body.length;
}

async function runJob(job: LoadJob): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const build = (spec: BatchSpec) => wireRequest(job.signal, job.format, spec);
  const warmup = job.warmup.map(build);
  const measured = job.measured.map(build);
  const rawBytes = job.measured.reduce((sum, s) => sum + rawSize(job, s), 0);

  const before = await runAll(agent, job, warmup);
  if (before.failures.length > 0) {
    throw new Error(`warm-up request failed: ${before.failures[0]}`);
  }
  process.send?.({ type: 'ready' } satisfies ClientMessage);
  await new Promise<void>((resolve) =>
    process.once('message', () => resolve()),
  );
  const result = await runAll(agent, job, measured);
  agent.destroy();
  process.send?.({
    type: 'done',
    result: { ...result, rawBytes },
  } satisfies ClientMessage);
}

process.once('message', (job: LoadJob) => {
  runJob(job).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.send?.({ type: 'error', message } satisfies ClientMessage, () =>
      process.exit(1),
    );
  });
});
