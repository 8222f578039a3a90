import { describe, expect, it } from 'vitest';
import { handler as streamIngest } from '#functions/stream-ingest/handler.js';
import { STREAM_INGEST_SPEC } from '#infra/stack/function-specs.js';
import { logicalIdOf, resourcesOf, synthesize } from './synth-stack.js';

const { stack, template } = synthesize();

const ingest = stack.streamIngest;

function propertiesOf(type: string, construct: unknown) {
  const id = logicalIdOf(stack, construct as never);
  return resourcesOf(template, type)[id]?.Properties ?? {};
}

function functionVariables(construct: unknown): Record<string, unknown> {
  return propertiesOf('AWS::Lambda::Function', construct).Environment.Variables;
}

describe('Kinesis ingest stream', () => {
  it('creates one encrypted provisioned shard kept 24 hours', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 1,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('feeds the stream-ingest function with partial batch failures', () => {
    const mapping = Object.values(
      resourcesOf(template, 'AWS::Lambda::EventSourceMapping'),
    );

    expect(mapping).toHaveLength(1);
    expect(mapping[0]?.Properties).toMatchObject({
      FunctionName: { Ref: logicalIdOf(stack, ingest.handler as never) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 5,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 86_400,
    });
  });

  it('sends batches that failed every retry to their own queue', () => {
    const mapping = Object.values(
      resourcesOf(template, 'AWS::Lambda::EventSourceMapping'),
    )[0];
    const queueId = logicalIdOf(stack, ingest.failedBatches as never);

    expect(mapping?.Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
  });
});

describe('stream-ingest function', () => {
  it('runs on nodejs26.x on arm64 with its size', () => {
    const properties = propertiesOf('AWS::Lambda::Function', ingest.handler);

    expect(properties.Runtime).toBe('nodejs26.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.MemorySize).toBe(STREAM_INGEST_SPEC.memoryMiB);
    expect(properties.Timeout).toBe(STREAM_INGEST_SPEC.timeout.toSeconds());
  });

  it('opens the stores its handler names', () => {
    expect([...streamIngest.stores].sort()).toEqual(
      [...STREAM_INGEST_SPEC.stores].sort(),
    );
  });

  it('gets the store and dead-letter variables only', () => {
    const variables = functionVariables(ingest.handler);

    expect(Object.keys(variables).sort()).toEqual(
      [
        'STORAGE',
        'POWERTOOLS_LOG_LEVEL',
        'NODE_OPTIONS',
        'OBSERVATORY_TRACES_TABLE',
        'OBSERVATORY_TRACE_RETENTION_DAYS',
        'OBSERVATORY_TIMESTREAM_DATABASE',
        'OBSERVATORY_TIMESTREAM_TABLE',
        'OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES',
        'OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS',
        'OBSERVATORY_OPENSEARCH_ENDPOINT',
        'OBSERVATORY_OPENSEARCH_SERVICE',
        'OBSERVATORY_LOG_INDEX_PREFIX',
        'OBSERVATORY_STREAM_DLQ_URL',
      ].sort(),
    );
    expect(variables.OBSERVATORY_STREAM_DLQ_URL).toEqual({
      Ref: logicalIdOf(stack, ingest.deadLetters),
    });
  });

  it('may send to the dead-letter queue and read the stream', () => {
    const policies = JSON.stringify(resourcesOf(template, 'AWS::IAM::Policy'));
    const roleId = logicalIdOf(stack, ingest.handler?.role as never);
    const own = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = own.flatMap((s) => [s.Action].flat());

    expect(policies).toContain(roleId);
    expect(actions).toContain('sqs:SendMessage');
    expect(actions).toContain('kinesis:GetRecords');
    expect(
      actions.filter((a) => a.startsWith('dynamodb:')).length,
    ).toBeGreaterThan(0);
  });
});

describe('dead-letter queues', () => {
  it.each(['deadLetters', 'failedBatches'] as const)(
    '%s is encrypted and kept 14 days',
    (name) => {
      const properties = propertiesOf('AWS::SQS::Queue', ingest[name]);

      expect(properties.SqsManagedSseEnabled).toBe(true);
      expect(properties.MessageRetentionPeriod).toBe(1_209_600);
    },
  );

  it.each(['deadLetters', 'failedBatches'] as const)(
    '%s alarms on any message',
    (name) => {
      const queueId = logicalIdOf(stack, ingest[name] as never);
      const alarm = Object.values(
        resourcesOf(template, 'AWS::CloudWatch::Alarm'),
      ).find(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions).includes(queueId),
      );

      expect(alarm?.Properties.Threshold).toBe(1);
    },
  );

  it('rejects requests without TLS', () => {
    const statements = Object.values(
      resourcesOf(template, 'AWS::SQS::QueuePolicy'),
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement);

    expect(
      statements.filter(
        (s) =>
          s.Effect === 'Deny' &&
          s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    ).toHaveLength(2);
  });
});

describe('stream monitoring', () => {
  it('alarms when the function falls 10 minutes behind', () => {
    const fnId = logicalIdOf(stack, ingest.handler as never);
    const alarm = Object.values(
      resourcesOf(template, 'AWS::CloudWatch::Alarm'),
    ).find(
      (a) =>
        a.Properties.MetricName === 'IteratorAge' &&
        JSON.stringify(a.Properties.Dimensions).includes(fnId),
    );

    expect(alarm?.Properties.Threshold).toBe(600_000);
    expect(alarm?.Properties.Statistic).toBe('Maximum');
  });
});

describe('Firehose endpoint', () => {
  const firehose = stack.functions.byName.firehose;

  it('reads its access key from a generated secret', () => {
    const variables = functionVariables(firehose);
    const secretId = logicalIdOf(stack, stack.firehoseAccessKey);

    expect(JSON.stringify(variables.OBSERVATORY_FIREHOSE_ACCESS_KEY)).toContain(
      '{{resolve:secretsmanager:',
    );
    expect(JSON.stringify(variables.OBSERVATORY_FIREHOSE_ACCESS_KEY)).toContain(
      secretId,
    );
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
  });

  it('shares the dead-letter queue of the stream', () => {
    expect(functionVariables(firehose).OBSERVATORY_STREAM_DLQ_URL).toEqual({
      Ref: logicalIdOf(stack, ingest.deadLetters),
    });
  });

  it('prints its URL and the secret', () => {
    const outputs = template.findOutputs('*');

    expect(JSON.stringify(outputs.FirehoseEndpointUrl?.Value)).toContain(
      '/api/observatory/firehose',
    );
    expect(outputs.FirehoseAccessKeySecretArn?.Value).toEqual({
      Ref: logicalIdOf(stack, stack.firehoseAccessKey),
    });
  });
});
