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
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '#infra/stack/function-specs.js';
import { BUNDLED_FUNCTIONS } from '../../scripts/bundle-size.js';

const outDir = mkdtempSync(join(tmpdir(), 'observatory-cdk-'));

/**
 * Bundling eleven functions and CDK's CloudFormation validation took
 * about 45 seconds of CPU on a 2-core machine; a loaded machine needs
 * several times that in wall-clock time.
 */
const SYNTH_TIMEOUT_MS = 300_000;

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string }[];
  }[];
}

/** Runs `script` in a separate Node.js process and returns its output. */
function runNode(script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The asset folder of the function with `description`. */
function assetOf(description: string): string {
  const template = JSON.parse(
    readFileSync(join(outDir, 'Observatory-dev.template.json'), 'utf8'),
  ) as { Resources: Record<string, { Type: string; Properties: any }> };
  const fn = Object.values(template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties.Description === description,
  );
  const key = String(fn?.Properties.Code.S3Key);
  return join(outDir, `asset.${key.replace(/\.zip$/, '')}`);
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

  it('bundles load and export handler', () => {
    for (const dir of functionAssets()) {
      const url = pathToFileURL(join(dir, 'index.mjs')).href;
      const output = runNode(
        `const m = await import(${JSON.stringify(url)}); ` +
          'console.log(typeof m.handler);',
      );

      expect(output.trim()).toBe('function');
    }
  });

  it('the health bundle answers GET /health with STORAGE=aws', () => {
    const url = pathToFileURL(
      join(assetOf(FUNCTION_SPECS.health.description), 'index.mjs'),
    ).href;
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: {},
      requestContext: {
        requestId: 'r-1',
        http: { method: 'GET', path: '/health' },
      },
      isBase64Encoded: false,
    };
    const output = runNode(
      `const { handler } = await import(${JSON.stringify(url)}); ` +
        `const result = await handler(${JSON.stringify(event)}, ` +
        "{ awsRequestId: 'r-1' }); console.log(JSON.stringify(result));",
      { STORAGE: 'aws', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok', storage: 'aws' });
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
