import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { BUNDLED_FUNCTIONS, bundleFunction } from '../scripts/bundle-size.js';
import { median } from './stats.js';

const run = promisify(execFile);

/** One Lambda function's bundle and cold start. */
export interface LambdaResult {
  name: string;
  bundleBytes: number;
  /** The bundle gzipped at level 9: about what the deployment zip holds. */
  gzipBytes: number;
  /** Median wall time of `node -e "await import(bundle)"`, in ms. */
  importMs: number;
  /** `importMs` minus the same for an empty script: the bundle's share. */
  initMs: number;
}

export interface LambdaSettings {
  /** Fresh processes per bundle, and for the empty baseline. */
  coldStarts: number;
}

/**
 * Environment of a Lambda with STORAGE=aws. Importing a bundle only
 * loads its modules; the handlers read configuration on first call.
 */
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  STORAGE: 'aws',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Times a fresh `node` process that imports `url` (or nothing). */
async function timeImport(url: string | undefined): Promise<number> {
  const script = url ? `await import(${JSON.stringify(url)})` : '';
  const started = performance.now();
  await run(process.execPath, ['--input-type=module', '-e', script], {
    env: LAMBDA_ENV,
  });
  return performance.now() - started;
}

async function medianImport(url: string | undefined, times: number) {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) durations.push(await timeImport(url));
  return median(durations);
}

/**
 * Bundles each function as the CDK stack does (scripts/bundle-size.ts
 * applies infra/stack/bundling.ts), then times importing each bundle in
 * fresh Node.js processes.
 */
export async function benchLambdas(
  settings: LambdaSettings,
  progress: (line: string) => void,
): Promise<{ baselineMs: number; functions: LambdaResult[] }> {
  const outdir = mkdtempSync(join(tmpdir(), 'observatory-bench-bundles-'));
  try {
    const baselineMs = await medianImport(undefined, settings.coldStarts);
    // esbuild builds on all cores, so the bundles are built together
    // before any import is timed.
    const reports = await Promise.all(
      BUNDLED_FUNCTIONS.map(([name, spec]) =>
        bundleFunction(name, spec, outdir),
      ),
    );
    const functions: LambdaResult[] = [];
    for (const report of reports) {
      const { name } = report;
      const file = join(outdir, name, 'index.mjs');
      const url = pathToFileURL(file).href;
      const importMs = await medianImport(url, settings.coldStarts);
      functions.push({
        name,
        bundleBytes: report.bytes,
        gzipBytes: gzipSync(readFileSync(file), { level: 9 }).length,
        importMs,
        initMs: importMs - baselineMs,
      });
      progress(`lambda ${name}: ${Math.round(importMs - baselineMs)} ms init`);
    }
    return { baselineMs, functions };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
