import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { addObservatory } from '#infra/stack/observatory-app.js';

const outdir = mkdtempSync(join(tmpdir(), 'observatory-nag-'));

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs?: { constructPath: string }[];
}

function violationsOf(dir: string): Violation[] {
  const report = JSON.parse(
    readFileSync(join(dir, 'validation-report.json'), 'utf8'),
  ) as { pluginReports: { pluginName: string; violations: Violation[] }[] };
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) => plugin.violations);
}

describe('cdk-nag checks', () => {
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('fails the synth on a finding nobody acknowledged', () => {
    process.env.CDK_VALIDATION = 'false';
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const stack = addObservatory(app);
    new Topic(stack, 'TopicWithoutTls');

    expect(() => app.synth()).toThrow('AwsSolutions');
    const violations = violationsOf(outdir);
    const paths = violations.flatMap((v) =>
      (v.violatingConstructs ?? []).map(
        (c) => `${v.ruleName} ${c.constructPath}`,
      ),
    );

    // The planted topic is the only finding in the whole app.
    expect(paths).toEqual([
      'AwsSolutions-SNS3 Observatory-dev/TopicWithoutTls/Resource',
    ]);
  });
});
