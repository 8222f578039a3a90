import { fork } from 'node:child_process';
import { join } from 'node:path';
import { benchEntries } from './build.js';
import type { BatchSpec, Signal } from './data/samples.js';
import type { Format } from './data/wire.js';
import type { ClientMessage, LoadJob, LoadResult } from './load-client.js';
import {
  type ProfileSummary,
  profilesIn,
  summarizeProfile,
} from './profile.js';
import {
  BENCH_ADMIN_KEY,
  type BenchServer,
  freshDataDir,
  removeDataDir,
  startBenchServer,
} from './server.js';
import { type Latency, latencyOf } from './stats.js';

/** Load settings of the HTTP ingest benchmark. */
export interface HttpIngestSettings {
  /** Items per request. */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  warmupRequests: number;
  measuredRequests: number;
  /** The wire formats to send each signal in. */
  formats: readonly Format[];
}

/** The outcome of one signal sent in one format. */
export interface HttpIngestCase {
  signal: Signal;
  format: Format;
  items: number;
  requests: number;
  itemsPerSecond: number;
  /** Body bytes on the wire per second, in MB (10^6 bytes). */
  wireMBPerSecond: number;
  /** Uncompressed body bytes per second, in MB. */
  rawMBPerSecond: number;
  latencyMs: Latency;
  /** Server CPU seconds (user + system) while the case ran. */
  serverCpuSeconds: number;
  /** Server CPU seconds per wall second: 1.0 is one core busy. */
  serverCores: number;
  /** Server CPU time per 1,000 items, in milliseconds. */
  cpuMsPerThousandItems: number;
  /** Peak RSS of the case's server, from its start to the end of the case. */
  serverPeakRssBytes: number;
  failures: string[];
}

const HOUR_MS = 3_600_000;

/**
 * Batches of one case, starting three days back. Each case has a fresh
 * database, so every item is new to the store.
 */
function casePlan(
  settings: HttpIngestSettings,
  nowMs: number,
): { warmup: BatchSpec[]; measured: BatchSpec[] } {
  const baseMs = nowMs - 72 * HOUR_MS;
  const spec = (batch: number) => ({
    batch,
    size: settings.batchSize,
    baseMs,
  });
  const warmup = Array.from({ length: settings.warmupRequests }, (_, i) =>
    spec(i),
  );
  const measured = Array.from({ length: settings.measuredRequests }, (_, i) =>
    spec(settings.warmupRequests + i),
  );
  return { warmup, measured };
}

/** Runs one job in a fresh client process, reading server CPU around it. */
async function runClient(
  server: BenchServer,
  job: LoadJob,
): Promise<{ result: LoadResult; cpuSeconds: number }> {
  const { client } = await benchEntries();
  const child = fork(client, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let cpuBefore = 0;
  return new Promise((resolve, reject) => {
    child.on('message', (message: ClientMessage) => {
      if (message.type === 'ready') {
        cpuBefore = server.cpuSeconds();
        child.send('go');
      } else if (message.type === 'done') {
        const cpuSeconds = server.cpuSeconds() - cpuBefore;
        child.disconnect();
        resolve({ result: message.result, cpuSeconds });
      } else {
        reject(new Error(`load client failed: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load client exited with ${code}`));
    });
    child.send(job);
  });
}

function caseOf(
  signal: Signal,
  format: Format,
  run: { result: LoadResult; cpuSeconds: number },
  server: BenchServer,
): HttpIngestCase {
  const { result, cpuSeconds } = run;
  const seconds = result.wallMs / 1_000;
  return {
    signal,
    format,
    items: result.items,
    requests: result.latenciesMs.length,
    itemsPerSecond: result.items / seconds,
    wireMBPerSecond: result.bytes / 1e6 / seconds,
    rawMBPerSecond: result.rawBytes / 1e6 / seconds,
    latencyMs: latencyOf(result.latenciesMs),
    serverCpuSeconds: cpuSeconds,
    serverCores: cpuSeconds / seconds,
    cpuMsPerThousandItems: (cpuSeconds * 1e6) / result.items,
    serverPeakRssBytes: server.peakRssBytes(),
    failures: result.failures.slice(0, 5),
  };
}

/** A CPU profile of the server while it ingested one case. */
export interface SignalProfile {
  signal: Signal;
  format: Format;
  summary: ProfileSummary;
}

/** Runs one case on its own server, and reads its profile if any. */
async function runCase(
  settings: HttpIngestSettings,
  signal: Signal,
  format: Format,
  caseProfileDir: string | undefined,
): Promise<{ result: HttpIngestCase; profiles: SignalProfile[] }> {
  const dataDir = freshDataDir();
  const server = await startBenchServer(dataDir, caseProfileDir);
  let result: HttpIngestCase;
  try {
    const job: LoadJob = {
      url: server.url,
      apiKey: BENCH_ADMIN_KEY,
      signal,
      format,
      concurrency: settings.concurrency,
      ...casePlan(settings, Date.now()),
    };
    result = caseOf(signal, format, await runClient(server, job), server);
  } finally {
    await server.stop();
    removeDataDir(dataDir);
  }
  const files = caseProfileDir ? profilesIn(caseProfileDir) : [];
  const profiles = files.map((file) => ({
    signal,
    format,
    summary: summarizeProfile(file),
  }));
  return { result, profiles };
}

/**
 * Sends each signal in each format through a local server. Every case
 * gets a fresh server and database, so none pays for the rows of
 * another. With `profileDir`, each server runs under `node --cpu-prof`
 * and writes its profile to `<profileDir>/<signal>-<format>`. Profiling
 * slows the server, so the figures of such a run do not compare with
 * others.
 */
export async function benchHttpIngest(
  settings: HttpIngestSettings,
  signals: readonly Signal[],
  progress: (line: string) => void,
  profileDir?: string,
): Promise<{ cases: HttpIngestCase[]; profiles: SignalProfile[] }> {
  const cases: HttpIngestCase[] = [];
  const profiles: SignalProfile[] = [];
  for (const signal of signals) {
    for (const format of settings.formats) {
      const caseDir = profileDir && join(profileDir, `${signal}-${format}`);
      const run = await runCase(settings, signal, format, caseDir);
      cases.push(run.result);
      profiles.push(...run.profiles);
      progress(
        `http ingest ${signal} ${format}: ` +
          `${Math.round(run.result.itemsPerSecond)} items/s`,
      );
    }
  }
  return { cases, profiles };
}
