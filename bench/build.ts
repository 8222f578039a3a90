import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './root.js';

/**
 * The folder for the bundles, inside the repository (under the git-ignored
 * results folder) so that Node resolves DuckDB from its node_modules.
 */
const BUILD_DIR = join(REPO_ROOT, 'bench', 'results', '.build');

/** The bundled entry points of the processes the benchmark starts. */
export interface BenchEntries {
  /** `infra/local/main.ts`, the program behind `npm start`. */
  server: string;
  /** `bench/load-client.ts`, the HTTP load generator. */
  client: string;
}

let built: Promise<BenchEntries> | undefined;

async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(BUILD_DIR, `${name}.mjs`);
  await build({
    entryPoints: [join(REPO_ROOT, entry)],
    absWorkingDir: REPO_ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // DuckDB loads a native binding, which esbuild cannot bundle.
    external: ['@duckdb/*'],
    // Some CommonJS packages call require(); ESM output has none.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Bundles the server and the load client once per benchmark run. Under
 * tsx a server used about 3.5 s of CPU before it served a request, and
 * its bundle about 1.6 s, measured on this machine. The benchmark does
 * not measure start-up, so the bundle saves most of a quick run's time.
 */
export function benchEntries(): Promise<BenchEntries> {
  built ??= Promise.all([
    bundle('infra/local/main.ts', 'server'),
    bundle('bench/load-client.ts', 'load-client'),
  ]).then(([server, client]) => ({ server, client }));
  return built;
}
