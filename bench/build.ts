import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './root.js';

/**
 * Where the bundled benchmark processes go. It sits inside the repository
 * (under the git-ignored results folder) so that Node resolves their npm
 * imports from the repository's node_modules.
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
 * tsx each process spent about 3 s of CPU compiling TypeScript before it
 * served a request; that start-up is not what the benchmark measures, and
 * it took most of a quick run. The code that runs is the same.
 */
export function benchEntries(): Promise<BenchEntries> {
  built ??= Promise.all([
    bundle('infra/local/main.ts', 'server'),
    bundle('bench/load-client.ts', 'load-client'),
  ]).then(([server, client]) => ({ server, client }));
  return built;
}
