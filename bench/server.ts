import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEntries } from './build.js';
import { cpuSeconds, peakRssBytes } from './proc.js';
import { REPO_ROOT } from './root.js';

/** The admin key each benchmark server starts with; it has every scope. */
export const BENCH_ADMIN_KEY = 'obs_benchmark-admin-key-with-all-scopes';

/** How long the server may take to print its address. */
const START_TIMEOUT_MS = 120_000;

/** A local server running in a child process. */
export interface BenchServer {
  url: string;
  pid: number;
  dataDir: string;
  /** The server's CPU time so far, user plus system, in seconds. */
  cpuSeconds(): number;
  /** The server's peak resident set size so far, in bytes. */
  peakRssBytes(): number;
  /** Stops the server with SIGTERM and waits until it has exited. */
  stop(): Promise<void>;
}

/** Creates an empty data directory under the system temp directory. */
export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'observatory-bench-'));
}

function waitForUrl(child: ChildProcess, logPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not start; see ${logPath}`)),
      START_TIMEOUT_MS,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /running at (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}; see ${logPath}`));
    });
  });
}

/**
 * Returns the arguments that start the server. A profiled server runs
 * the TypeScript sources under tsx, so its profile names source files.
 * Any other runs the bundle of the same code, which starts faster.
 */
async function serverArgs(cpuProfileDir?: string): Promise<string[]> {
  if (cpuProfileDir === undefined) return [(await benchEntries()).server];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${cpuProfileDir}`,
    '--import',
    'tsx',
    'infra/local/main.ts',
  ];
}

/**
 * Starts `npm start`'s program (infra/local/main.ts) as a child process
 * on a free 127.0.0.1 port over `dataDir`, with {@link BENCH_ADMIN_KEY} as
 * its admin key. Its output goes to `server.log` in `dataDir`. With
 * `cpuProfileDir`, Node writes a CPU profile of the whole server run there
 * when it exits.
 */
export async function startBenchServer(
  dataDir: string,
  cpuProfileDir?: string,
): Promise<BenchServer> {
  const logPath = join(dataDir, 'server.log');
  const child = spawn(process.execPath, await serverArgs(cpuProfileDir), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      OBSERVATORY_DATA_DIR: dataDir,
      OBSERVATORY_ADMIN_KEY: BENCH_ADMIN_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logPath);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawning the server failed');
  const url = await waitForUrl(child, logPath);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );

  return {
    url,
    pid,
    dataDir,
    cpuSeconds: () => cpuSeconds(pid),
    peakRssBytes: () => peakRssBytes(pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Removes a data directory made by {@link freshDataDir}. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
