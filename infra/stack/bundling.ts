import { fileURLToPath } from 'node:url';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import type { StoreName } from '#shared/store/open.js';

/** The repository root, where package-lock.json and the entries live. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runtime of every function: the newest Node.js that aws-cdk-lib offers. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_26_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;

/**
 * Lets bundled CommonJS packages call `require` for Node.js built-ins,
 * which an ES module does not define.
 */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module';" +
  'const require = createRequire(import.meta.url);';

/**
 * The import that shared/store/open.ts uses for the embedded store. It is
 * left out of every bundle, because Lambda runs with STORAGE=aws.
 */
export const EMBEDDED_STORE_IMPORT = './duckdb/stores.js';

/**
 * The import of each AWS adapter in shared/store/aws/stores.ts. A function
 * bundles only the adapters of its own stores; `openAwsStores` imports no
 * other, so the imports left out are never run.
 */
export const ADAPTER_IMPORTS: Record<StoreName, string> = {
  metrics: './timestream/metric-store.js',
  logs: './opensearch/log-store.js',
  traces: './dynamodb/trace-store.js',
  config: './dynamodb/config-store.js',
  topology: './dynamodb/topology-store.js',
};

/** The esbuild settings of a Lambda bundle, in esbuild's own terms. */
export interface LambdaBuildSettings {
  target: string;
  format: 'esm';
  minify: true;
  sourcemap: true;
  sourcesContent: false;
  mainFields: string[];
  banner: string;
  /** Import paths left out of the bundle. */
  external: string[];
}

/** Import paths that a function using `stores` leaves out of its bundle. */
export function externalImports(stores: readonly StoreName[]): string[] {
  const unused = Object.entries(ADAPTER_IMPORTS)
    .filter(([store]) => !stores.includes(store as StoreName))
    .map(([, path]) => path);
  return [EMBEDDED_STORE_IMPORT, ...unused];
}

/**
 * Build settings of a function that uses `stores`. esbuild applies an
 * external path before resolving it, so a relative import such as
 * `./duckdb/stores.js` stays an import and its module is not bundled.
 * The same settings drive the CDK bundling and scripts/bundle-size.ts.
 */
export function lambdaBuildSettings(
  stores: readonly StoreName[],
): LambdaBuildSettings {
  const major = /^nodejs(\d+)/.exec(LAMBDA_RUNTIME.name)?.[1];
  return {
    target: `node${major}`,
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // ES module builds first, so esbuild can drop unused exports.
    mainFields: ['module', 'main'],
    banner: REQUIRE_BANNER,
    external: externalImports(stores),
  };
}

/** Converts the same settings to NodejsFunction bundling options, no Docker. */
export function nodejsBundling(stores: readonly StoreName[]): BundlingOptions {
  const settings = lambdaBuildSettings(stores);
  return {
    target: settings.target,
    format: OutputFormat.ESM,
    minify: settings.minify,
    sourceMap: settings.sourcemap,
    sourcesContent: settings.sourcesContent,
    mainFields: settings.mainFields,
    banner: settings.banner,
    externalModules: settings.external,
    forceDockerBundling: false,
  };
}
