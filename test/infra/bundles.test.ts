import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTER_IMPORTS } from '#infra/stack/bundling.js';
import type { StoreName } from '#shared/store/open.js';
import {
  BUNDLED_FUNCTIONS,
  type BundleReport,
  bundleAll,
} from '../../scripts/bundle-size.js';

/** Source folder of each store's AWS adapter. */
const ADAPTER_FOLDERS: Record<StoreName, string> = {
  metrics: 'shared/store/aws/timestream/',
  logs: 'shared/store/aws/opensearch/',
  traces: 'shared/store/aws/dynamodb/',
  config: 'shared/store/aws/dynamodb/',
  topology: 'shared/store/aws/dynamodb/',
};

/** Returns the source file of a store's adapter module. */
function adapterFileOf(store: StoreName): string {
  const module = ADAPTER_IMPORTS[store]
    .replace(/^\.\//, '')
    .replace('.js', '.ts');
  return `shared/store/aws/${module}`;
}

/** Each bundle stays well under Lambda's 50 MB zipped code limit. */
const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;

let reports: Map<string, BundleReport>;

function reportOf(name: string): BundleReport {
  const report = reports.get(name);
  if (!report) throw new Error(`no bundle for ${name}`);
  return report;
}

describe('Lambda bundles', () => {
  beforeAll(async () => {
    reports = new Map((await bundleAll()).map((r) => [r.name, r]));
  }, 120_000);

  it.each(BUNDLED_FUNCTIONS.map(([name]) => name))(
    '%s bundles no DuckDB code',
    (name) => {
      const duckdb = reportOf(name).inputs.filter((input) =>
        /duckdb/i.test(input),
      );

      expect(duckdb).toEqual([]);
    },
  );

  it.each(BUNDLED_FUNCTIONS.map(([name]) => name))(
    '%s bundles no CDK, test or build code',
    (name) => {
      const unwanted = reportOf(name).inputs.filter((input) =>
        /node_modules\/(aws-cdk-lib|constructs|cdk-nag|esbuild|vitest)\/|^test\//.test(
          input,
        ),
      );

      expect(unwanted).toEqual([]);
    },
  );

  it.each(BUNDLED_FUNCTIONS)(
    '%s bundles the adapters of its stores only',
    (name, spec) => {
      const inputs = reportOf(name).inputs;
      const unused = (Object.keys(ADAPTER_FOLDERS) as StoreName[]).filter(
        (store) =>
          !spec.stores.some(
            (own) => ADAPTER_FOLDERS[own] === ADAPTER_FOLDERS[store],
          ),
      );

      for (const store of spec.stores) {
        if (name === 'log-index-setup') continue;
        expect(inputs).toContain(adapterFileOf(store));
      }
      for (const store of unused) {
        const folder = ADAPTER_FOLDERS[store];
        expect(inputs.filter((input) => input.startsWith(folder))).toEqual([]);
      }
    },
  );

  it.each(BUNDLED_FUNCTIONS.map(([name]) => name))(
    '%s bundle stays under 2 MiB',
    (name) => {
      expect(reportOf(name).bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    },
  );
});
