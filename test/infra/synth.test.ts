import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_FUNCTIONS } from '../../scripts/bundle-size.js';

const outDir = mkdtempSync(join(tmpdir(), 'observatory-cdk-'));

/**
 * Bundling nine functions and CDK's CloudFormation validation take about
 * 30 seconds of CPU; a loaded machine needs several times that.
 */
const SYNTH_TIMEOUT_MS = 300_000;

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string }[];
  }[];
}

/** Asset folders that hold a bundled function (`index.mjs`). */
function functionAssets(): string[] {
  return readdirSync(outDir)
    .filter((name) => name.startsWith('asset.'))
    .map((name) => join(outDir, name))
    .filter((dir) => existsSync(join(dir, 'index.mjs')));
}

describe('cdk synth', () => {
  beforeAll(() => {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], {
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: 'pipe',
      timeout: SYNTH_TIMEOUT_MS,
    });
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('synthesizes the app in cdk.json offline', () => {
    expect(readdirSync(outDir)).toContain('Observatory-dev.template.json');
  });

  it('reports no cdk-nag or CloudFormation validation finding', () => {
    const report = JSON.parse(
      readFileSync(join(outDir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => `${plugin.pluginName} ${v.ruleName}`),
    );

    expect(findings).toEqual([]);
  });

  it('bundles every function as an ES module with a source map', () => {
    const assets = functionAssets();

    expect(assets).toHaveLength(BUNDLED_FUNCTIONS.length);
    for (const dir of assets) {
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    }
  });

  it('puts no DuckDB source into any function asset', () => {
    for (const dir of functionAssets()) {
      const map = JSON.parse(
        readFileSync(join(dir, 'index.mjs.map'), 'utf8'),
      ) as { sources: string[] };

      expect(map.sources.length).toBeGreaterThan(0);
      expect(map.sources.filter((source) => /duckdb/i.test(source))).toEqual(
        [],
      );
    }
  });
});
