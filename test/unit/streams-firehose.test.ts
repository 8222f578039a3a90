import { describe, expect, it } from 'vitest';
import {
  deadLetterOf,
  MAX_DEAD_LETTER_BYTES,
} from '#shared/streams/dead-letter.js';
import {
  checkAccessKey,
  firehoseRecords,
  parseFirehoseRequest,
} from '#shared/streams/firehose.js';
import {
  signalOfCommonAttributes,
  signalOfPartitionKey,
} from '#shared/streams/format.js';
import type { RecordOutcome } from '#shared/streams/ingest.js';

describe('signalOfPartitionKey', () => {
  it.each([
    ['otlp-traces', 'traces'],
    ['otlp-metrics:checkout', 'metrics'],
    ['otlp-logs/shard-7', 'logs'],
    ['otlp-logsx', undefined],
    ['checkout', undefined],
    ['', undefined],
  ])('reads %j as %s', (key, expected) => {
    expect(signalOfPartitionKey(key)).toBe(expected);
  });
});

describe('signalOfCommonAttributes', () => {
  it('reads the format attribute', () => {
    const header = JSON.stringify({
      commonAttributes: { format: 'otlp-metrics', team: 'payments' },
    });

    expect(signalOfCommonAttributes(header)).toBe('metrics');
  });

  it.each([
    ['no header', undefined],
    ['attributes without a format', '{"commonAttributes":{"team":"a"}}'],
  ])('returns undefined for %s', (_name, header) => {
    expect(signalOfCommonAttributes(header)).toBeUndefined();
  });

  it.each([
    ['text that is not JSON', 'format=otlp-logs', /is not valid/],
    ['JSON without commonAttributes', '{"format":"otlp-logs"}', /not valid/],
    [
      'an unknown format',
      '{"commonAttributes":{"format":"x"}}',
      /"x" is unknown/,
    ],
  ])('rejects %s', (_name, header, message) => {
    expect(() => signalOfCommonAttributes(header)).toThrow(message);
  });
});

describe('checkAccessKey', () => {
  it('accepts the configured key', () => {
    expect(() => checkAccessKey('secret', 'secret')).not.toThrow();
  });

  it.each([
    ['a wrong key', 'other'],
    ['a longer key', 'secret-and-more'],
    ['an empty key', ''],
    ['no key', undefined],
  ])('rejects %s with 401', (_name, presented) => {
    expect(() => checkAccessKey(presented, 'secret')).toThrow(
      expect.objectContaining({ status: 401 }),
    );
  });

  it('rejects every key when none is configured', () => {
    expect(() => checkAccessKey('secret', undefined)).toThrow(
      /set OBSERVATORY_FIREHOSE_ACCESS_KEY/,
    );
  });
});

describe('parseFirehoseRequest', () => {
  it('reads a delivery request', () => {
    const body = {
      requestId: 'r-1',
      timestamp: 5,
      records: [{ data: 'YQ==' }],
    };

    expect(parseFirehoseRequest(Buffer.from(JSON.stringify(body)))).toEqual(
      body,
    );
  });

  it('names the field of a request of the wrong shape', () => {
    const body = { requestId: 'r-1', timestamp: 'soon', records: [] };

    expect(() =>
      parseFirehoseRequest(Buffer.from(JSON.stringify(body))),
    ).toThrow(/timestamp/);
  });

  it('rejects an empty body as not JSON', () => {
    expect(() => parseFirehoseRequest(Buffer.alloc(0))).toThrow(
      /not valid JSON/,
    );
  });
});

describe('firehoseRecords', () => {
  it('decodes base64 data and sets aside data that is not base64', () => {
    const request = {
      requestId: 'r-1',
      timestamp: 7,
      records: [{ data: 'YWJj' }, { data: 'abc' }, { data: 'YQ=' }],
    };

    const { records, invalid } = firehoseRecords(request, 'logs');

    expect(records).toEqual([
      {
        id: 'r-1/records[0]',
        data: Buffer.from('abc'),
        receivedMs: 7,
        signal: 'logs',
      },
    ]);
    expect(invalid.map((outcome) => outcome.problems)).toEqual([
      ['records[1].data is not valid base64'],
      ['records[2].data is not valid base64'],
    ]);
  });
});

describe('deadLetterOf', () => {
  function outcomeWith(data: Buffer): RecordOutcome {
    return {
      record: { id: '42', data, receivedMs: 9, signal: 'traces' },
      stored: 1,
      controlMessages: 0,
      problems: Array.from({ length: 25 }, (_, i) => `problem ${i}`),
    };
  }

  it('carries the data, time, signal and first reasons', () => {
    const letter = deadLetterOf(outcomeWith(Buffer.from('abc')), 'kinesis', {
      partition_key: 'p',
    });

    expect(letter).toMatchObject({
      source: 'kinesis',
      record_id: '42',
      origin: { partition_key: 'p' },
      received_ms: 9,
      signal: 'traces',
      reason_count: 25,
      stored_items: 1,
      data_bytes: 3,
      data: 'YWJj',
    });
    expect(letter.reasons).toHaveLength(20);
  });

  it('leaves out data that would not fit an SQS message', () => {
    const data = Buffer.alloc(MAX_DEAD_LETTER_BYTES);

    const letter = deadLetterOf(outcomeWith(data), 'kinesis', {});

    expect(letter.data).toBeUndefined();
    expect(letter.data_bytes).toBe(MAX_DEAD_LETTER_BYTES);
  });
});
