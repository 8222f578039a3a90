import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config.js';

describe('stream configuration', () => {
  it('reads the stream variables', () => {
    const config = loadConfig({
      OBSERVATORY_FIREHOSE_ACCESS_KEY: 'key',
      OBSERVATORY_LOG_GROUP_SERVICES: '{"/ecs/payments": "payments"}',
      OBSERVATORY_STREAM_DLQ_URL:
        'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
    });

    expect(config.streams).toEqual({
      firehoseAccessKey: 'key',
      logGroupServices: { '/ecs/payments': 'payments' },
      deadLetterQueueUrl:
        'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
    });
  });

  it('defaults to no key, no services and no queue', () => {
    expect(loadConfig({}).streams).toEqual({
      firehoseAccessKey: undefined,
      logGroupServices: {},
      deadLetterQueueUrl: undefined,
    });
  });

  it.each([
    ['text that is not JSON', '/ecs/payments=payments'],
    ['a list', '["payments"]'],
    ['an empty service name', '{"/ecs/payments": ""}'],
    ['a number as service', '{"/ecs/payments": 7}'],
  ])('rejects a service map of %s', (_name, value) => {
    expect(() => loadConfig({ OBSERVATORY_LOG_GROUP_SERVICES: value })).toThrow(
      /OBSERVATORY_LOG_GROUP_SERVICES/,
    );
  });

  it('rejects a queue URL that is not a URL', () => {
    expect(() => loadConfig({ OBSERVATORY_STREAM_DLQ_URL: 'dlq' })).toThrow(
      /OBSERVATORY_STREAM_DLQ_URL/,
    );
  });
});
