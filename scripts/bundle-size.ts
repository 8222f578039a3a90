import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lambdaBuildSettings, PROJECT_ROOT } from '#infra/stack/bundling.js';
import {
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type FunctionSpec,
  LOG_INDEX_SETUP_SPEC,
  STREAM_INGEST_SPEC,
} from '#infra/stack/function-specs.js';

/** One Lambda bundle as esbuild built it. */
export interface BundleReport {
  name: string;
  /** Bytes of `index.mjs`, the code Lambda loads. */
  bytes: number;
  /** Bytes of its source map. */
  mapBytes: number;
  /** Every source file in the bundle, relative to the repository root. */
  inputs: string[];
}

/** Every function the stack deploys, by the name the stack gives it. */
export const BUNDLED_FUNCTIONS: [string, FunctionSpec][] = [
  ...FUNCTION_NAMES.map((name): [string, FunctionSpec] => [
    name,
    FUNCTION_SPECS[name],
  ]),
  ['log-index-setup', LOG_INDEX_SETUP_SPEC],
  ['stream-ingest', STREAM_INGEST_SPEC],
];

/**
 * Bundles one function into `outdir` with the settings the CDK stack uses
 * (infra/stack/bundling.ts), and lists what went in.
 */
export async function bundleFunction(
  name: string,
  spec: FunctionSpec,
  outdir: string,
): Promise<BundleReport> {
  const settings = lambdaBuildSettings(spec.stores);
  const outfile = join(outdir, name, 'index.mjs');
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, spec.entry)],
    absWorkingDir: PROJECT_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    target: settings.target,
    format: settings.format,
    minify: settings.minify,
    sourcemap: settings.sourcemap,
    sourcesContent: settings.sourcesContent,
    mainFields: settings.mainFields,
    banner: { js: settings.banner },
    external: settings.external,
    metafile: true,
    logLevel: 'error',
  });
  return {
    name,
    bytes: statSync(outfile).size,
    mapBytes: statSync(`${outfile}.map`).size,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Bundles every function into a temporary folder, removed afterwards. */
export async function bundleAll(): Promise<BundleReport[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'observatory-bundles-'));
  try {
    const reports: BundleReport[] = [];
    for (const [name, spec] of BUNDLED_FUNCTIONS) {
      reports.push(await bundleFunction(name, spec, outdir));
    }
    return reports;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`.padStart(10);
}

async function main(): Promise<void> {
  const reports = await bundleAll();
  console.log(
    `${'function'.padEnd(18)}${'bundle'.padStart(10)}${'map'.padStart(10)}  files`,
  );
  for (const report of reports) {
    console.log(
      `${report.name.padEnd(18)}${kib(report.bytes)}${kib(report.mapBytes)}` +
        `  ${report.inputs.length}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
