import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const outDir = mkdtempSync(join(tmpdir(), 'observatory-cdk-'));

describe('cdk synth', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('synthesizes the app in cdk.json offline', () => {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], {
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: 'pipe',
      timeout: 120_000,
    });

    expect(readdirSync(outDir)).toContain('Observatory-dev.template.json');
  }, 120_000);
});
