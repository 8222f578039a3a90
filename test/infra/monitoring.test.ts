import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/stack/bundling.js';
import { FUNCTION_NAMES } from '#infra/stack/function-specs.js';
import { REJECTED_ITEMS_MESSAGES } from '#infra/stack/monitoring.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const { stack, template } = synthesize();

const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
const topicId = logicalIdOf(stack, stack.monitoring.topic);

function alarmsOn(metricName: string, dimension?: string) {
  return Object.values(alarms).filter(
    (alarm) =>
      alarm.Properties.MetricName === metricName &&
      (dimension === undefined ||
        JSON.stringify(alarm.Properties.Dimensions).includes(dimension)),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('alarm topic', () => {
  it('is encrypted with a rotated key that CloudWatch may use', () => {
    const topic = resourcesOf(template, 'AWS::SNS::Topic')[topicId];
    const keyId = topic?.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resourcesOf(template, 'AWS::KMS::Key')[keyId];

    expect(key?.Properties.EnableKeyRotation).toBe(true);
    expect(key?.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('rejects publishing without TLS', () => {
    const policies = Object.values(
      resourcesOf(template, 'AWS::SNS::TopicPolicy'),
    );
    const statements = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );

    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('has no subscription unless an alarm email is set', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('function alarms', () => {
  it.each(FUNCTION_NAMES)('%s alarms on errors and throttles', (name) => {
    const fnId = logicalIdOf(stack, stack.functions.byName[name]);

    expect(alarmsOn('Errors', fnId)).toHaveLength(1);
    expect(alarmsOn('Throttles', fnId)).toHaveLength(1);
  });

  it('publishes every alarm and its recovery to the topic', () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});

describe('API alarm', () => {
  it('alarms when more than 5% of requests answer 5xx', () => {
    const rate = Object.values(alarms).find((alarm) =>
      JSON.stringify(alarm.Properties.Metrics ?? []).includes('100 * errors'),
    );
    const metrics = JSON.stringify(rate?.Properties.Metrics);

    expect(rate?.Properties.Threshold).toBe(5);
    expect(rate?.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(metrics).toContain('"MetricName":"5xx"');
    expect(metrics).toContain('"MetricName":"Count"');
  });
});

describe('log metrics', () => {
  const filters = Object.values(
    resourcesOf(template, 'AWS::Logs::MetricFilter'),
  );

  it.each(FUNCTION_NAMES)('%s logs feed both log metrics', (name) => {
    const groupId = logicalIdOf(
      stack,
      stack.functions.byName[name].logGroup as never,
    );
    const own = filters.filter(
      (filter) =>
        JSON.stringify(filter.Properties.LogGroupName) ===
        JSON.stringify({ Ref: groupId }),
    );
    const names = own.map(
      (filter) => filter.Properties.MetricTransformations[0].MetricName,
    );

    expect(names.sort()).toEqual(['FailedRequests', 'RejectedItemBatches']);
  });

  it('counts error-level log lines as failed requests', () => {
    const filter = filters.find(
      (f) =>
        f.Properties.MetricTransformations[0].MetricName === 'FailedRequests',
    );

    expect(filter?.Properties.FilterPattern).toBe('{ $.level = "ERROR" }');
    expect(filter?.Properties.MetricTransformations[0].MetricNamespace).toBe(
      'Observatory/dev',
    );
  });

  it.each(REJECTED_ITEMS_MESSAGES)('matches the message "%s"', (message) => {
    const filter = filters.find(
      (f) =>
        f.Properties.MetricTransformations[0].MetricName ===
        'RejectedItemBatches',
    );

    expect(filter?.Properties.FilterPattern).toContain(
      `$.message = "${message}"`,
    );
  });

  it.each(REJECTED_ITEMS_MESSAGES)(
    '"%s" is logged by shared code',
    (message) => {
      const sources = sourceFiles(join(PROJECT_ROOT, 'shared')).map((file) =>
        readFileSync(file, 'utf8'),
      );

      expect(sources.some((text) => text.includes(`'${message}'`))).toBe(true);
    },
  );

  it.each(['FailedRequests', 'RejectedItemBatches'])(
    'alarms on any %s',
    (metricName) => {
      const [alarm] = alarmsOn(metricName);

      expect(alarm?.Properties.Namespace).toBe('Observatory/dev');
      expect(alarm?.Properties.Threshold).toBe(1);
      expect(alarm?.Properties.TreatMissingData).toBe('notBreaching');
    },
  );
});
