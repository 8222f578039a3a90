import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainFromAttributes } from '#shared/model/attributes.js';
import type { OtlpSignal } from '#shared/otlp/protobuf.js';
import { decodeRecord } from '#shared/streams/decode.js';
import type { DecodeContext } from '#shared/streams/items.js';
import {
  controlMessage,
  dataMessage,
  firstDocument,
  NOW_MS,
  secondDocument,
  T0_MS,
} from '#test/fixtures/streams/cloudwatch.js';
import { otlpRequests, protobufOf } from '#test/fixtures/streams/otlp.js';
import { concatenated, gzip } from '#test/fixtures/streams/records.js';

const CONTEXT: DecodeContext = { receivedMs: NOW_MS, logGroupServices: {} };

function decode(data: Buffer, context: Partial<DecodeContext> = {}) {
  return decodeRecord(data, { ...CONTEXT, ...context });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

const SIGNALS: OtlpSignal[] = ['traces', 'metrics', 'logs'];

function countsOf(record: ReturnType<typeof decode>) {
  return {
    spans: record.spans.length,
    logs: record.logs.length,
    points: record.points.length,
  };
}

const ONE_OF: Record<OtlpSignal, ReturnType<typeof countsOf>> = {
  traces: { spans: 1, logs: 0, points: 0 },
  metrics: { spans: 0, logs: 0, points: 1 },
  logs: { spans: 0, logs: 1, points: 0 },
};

describe('decodeRecord with CloudWatch Logs data', () => {
  it('skips a gzip control message without a problem', () => {
    const record = decode(gzip(json(controlMessage())));

    expect(record.controlMessages).toBe(1);
    expect(record.logs).toEqual([]);
    expect(record.problems).toEqual([]);
  });

  it('yields only the data message after a control message', () => {
    const data = gzip(concatenated([controlMessage(), firstDocument()]));

    const record = decode(data);

    expect(record.controlMessages).toBe(1);
    expect(record.logs.map((log) => log.item.log_id)).toEqual(['e1', 'e2']);
    expect(record.problems).toEqual([]);
  });

  it.each([
    ['no separator', ''],
    ['a line feed', '\n'],
    ['blank lines', '\n\n\n'],
  ])('reads concatenated documents with %s', (_name, separator) => {
    const data = concatenated([firstDocument(), secondDocument()], separator);

    const record = decode(data);

    const logs = record.logs.map(({ item }) => ({
      id: item.log_id,
      message: item.message,
      stream: plainFromAttributes(item.attributes)['aws.log.stream.name'],
    }));
    expect(logs).toEqual([
      { id: 'e1', message: 'first line', stream: 'stream-1' },
      { id: 'e2', message: 'payload }{ with braces', stream: 'stream-1' },
      { id: 'e3', message: 'third line', stream: 'stream-2' },
    ]);
    expect(record.problems).toEqual([]);
  });

  it('keeps messages with unbalanced brackets and quotes intact', () => {
    const messages = ['}]} closes', '\\"}]}{"', '{[{ opens'];
    const first = dataMessage(
      'stream-1',
      messages.map((message, index) => ({ id: `m${index}`, message })),
    );
    const data = concatenated([first, secondDocument()]);

    const record = decode(data);

    expect(record.logs.map((log) => log.item.message)).toEqual([
      ...messages,
      'third line',
    ]);
    expect(record.problems).toEqual([]);
  });

  it('keeps the documents before trailing garbage and reports it', () => {
    const documents = concatenated([firstDocument(), secondDocument()]);
    const data = Buffer.concat([documents, Buffer.from('\n}garbage')]);

    const record = decode(data);

    expect(record.logs.map((log) => log.item.log_id)).toEqual([
      'e1',
      'e2',
      'e3',
    ]);
    expect(record.problems).toHaveLength(1);
    expect(record.problems[0]).toMatch(/trailing characters/);
  });

  it('reads the same documents compressed', () => {
    const data = gzip(concatenated([firstDocument(), secondDocument()]));

    expect(decode(data).logs).toHaveLength(3);
  });

  it('maps an event with its group, stream, account and time', () => {
    const record = decode(json(firstDocument()));
    const log = record.logs[0]?.item;

    expect(log?.service).toBe('checkout');
    expect(log?.time_unix_nano).toBe(BigInt(T0_MS) * 1_000_000n);
    expect(log?.observed_time_unix_nano).toBe(BigInt(NOW_MS) * 1_000_000n);
    expect(plainFromAttributes(log?.attributes ?? {})).toEqual({
      'aws.log.group.name': '/aws/lambda/checkout',
      'aws.log.stream.name': 'stream-1',
      'cloud.account.id': '123456789012',
    });
    expect(plainFromAttributes(log?.resource ?? {})).toEqual({
      'service.name': 'checkout',
      'cloud.provider': 'aws',
    });
  });

  it.each([
    ['a Lambda group', '/aws/lambda/orders', {}, 'orders'],
    ['another group', '/ecs/payments', {}, '/ecs/payments'],
    ['a configured group', '/ecs/payments', { '/ecs/payments': 'pay' }, 'pay'],
    [
      'a configured Lambda group',
      '/aws/lambda/orders',
      { '/aws/lambda/orders': 'order-service' },
      'order-service',
    ],
  ])('names the service of %s', (_name, group, services, expected) => {
    const message = dataMessage('s', [{ id: 'x', message: 'hi' }], group);

    const record = decode(json(message), { logGroupServices: services });

    expect(record.logs[0]?.item.service).toBe(expected);
  });

  it('reads level, trace and request id from the message', () => {
    const message = dataMessage('s', [
      {
        id: 'x',
        message: `${JSON.stringify({
          level: 'ERROR',
          message: 'failed',
          xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
          function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        })}\n`,
      },
    ]);

    const log = decode(json(message)).logs[0]?.item;

    expect(log?.level).toBe('ERROR');
    expect(log?.severity_number).toBe(17);
    expect(log?.trace_id).toBe('5759e988bd862e3fe1be46a994272793');
    expect(log?.message.endsWith('}')).toBe(true);
    expect(plainFromAttributes(log?.attributes ?? {})).toMatchObject({
      'faas.invocation_id': 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
  });

  it('reports an invalid event and keeps the others', () => {
    const message = firstDocument();
    (message.logEvents as unknown[]).splice(1, 0, { id: 'bad' });

    const record = decode(json(message));

    expect(record.logs.map((log) => log.item.log_id)).toEqual(['e1', 'e2']);
    expect(record.problems).toHaveLength(1);
    expect(record.problems[0]).toMatch(/^document 1, logEvents\[1\]: /);
  });

  it('reports an unknown message type', () => {
    const record = decode(json({ ...controlMessage(), messageType: 'OTHER' }));

    expect(record.problems[0]).toMatch(/messageType "OTHER" is not/);
  });
});

describe('decodeRecord with Observatory envelopes', () => {
  const log = { type: 'log', service: 'checkout', message: 'hello' };
  const metric = {
    type: 'metric',
    metric_type: 'gauge',
    service: 'checkout',
    name: 'queue.depth',
    value: 3,
  };
  const span = {
    type: 'span',
    trace_id: '9e2a3dc06074b17540d54de4e51e735f',
    span_id: '5b8efff798038103',
    service: 'checkout',
    name: 'GET /orders',
    start_time: T0_MS,
    end_time: T0_MS + 5,
  };

  it.each([
    ['single envelopes', [log, metric, span].map((item) => json(item))],
    ['an array', [json([log, metric, span])]],
    ['a records object', [json({ records: [log, metric, span] })]],
  ])('reads %s', (_name, parts) => {
    const record = decode(Buffer.concat(parts));

    expect(countsOf(record)).toEqual({ spans: 1, logs: 1, points: 1 });
    expect(record.problems).toEqual([]);
  });

  it('gives items without a time the arrival time', () => {
    const record = decode(json([log, metric]));

    expect(record.logs[0]?.item.time_unix_nano).toBe(
      BigInt(NOW_MS) * 1_000_000n,
    );
    expect(record.points[0]?.item.timestamp_ms).toBe(NOW_MS);
  });

  it('keeps a nanosecond time beyond 2^53 exact', () => {
    const nanos = BigInt(T0_MS) * 1_000_000n + 123_456_789n;
    const text = JSON.stringify(log).replace(
      /}$/,
      `,"time_unix_nano":${nanos}}`,
    );

    const record = decode(Buffer.from(text));

    expect(record.logs[0]?.item.time_unix_nano).toBe(nanos);
  });

  it('derives the same log id when a record is decoded again', () => {
    const first = decode(json(log)).logs[0]?.item.log_id;
    const again = decode(json(log)).logs[0]?.item.log_id;

    expect(again).toBe(first);
  });

  it('reports invalid items by position and keeps the rest', () => {
    const record = decode(
      json([log, { type: 'log', service: 'checkout' }, { type: 'gauge' }]),
    );

    expect(record.logs).toHaveLength(1);
    expect(record.problems).toHaveLength(2);
    expect(record.problems[0]).toMatch(/^document 1, item 1: message/);
    expect(record.problems[1]).toMatch(
      /^document 1, item 2: type "gauge" is not an envelope type/,
    );
  });

  it('names metric_type when a metric envelope lacks it', () => {
    const { metric_type: _type, ...withoutType } = metric;

    const record = decode(json(withoutType));

    expect(record.problems[0]).toMatch(/^document 1: metric_type: /);
  });

  it('reports an object of no known kind', () => {
    const record = decode(json({ hello: 'world' }));

    expect(record.problems[0]).toMatch(/^document 1: not a CloudWatch Logs/);
  });
});

describe('decodeRecord with OTLP', () => {
  it.each(SIGNALS)('reads an OTLP/JSON %s request', (signal) => {
    const record = decode(json(otlpRequests()[signal]));

    expect(countsOf(record)).toEqual(ONE_OF[signal]);
    expect(record.problems).toEqual([]);
  });

  it.each(SIGNALS)('recognizes an OTLP protobuf %s request', (signal) => {
    const record = decode(protobufOf(signal, otlpRequests()[signal]));

    expect(countsOf(record)).toEqual(ONE_OF[signal]);
    expect(record.problems).toEqual([]);
  });

  it.each(SIGNALS)('reads a gzip protobuf %s request', (signal) => {
    const data = gzip(protobufOf(signal, otlpRequests()[signal]));

    expect(countsOf(decode(data))).toEqual(ONE_OF[signal]);
  });

  it('reads protobuf as the declared signal', () => {
    const data = protobufOf('logs', otlpRequests().logs);

    const record = decode(data, { signal: 'traces' });

    expect(record.spans).toEqual([]);
    expect(record.problems[0]).toMatch(/^protobuf: /);
  });

  it('reads an empty object as an empty request of the declared signal', () => {
    const record = decode(json({}), { signal: 'metrics' });

    expect(countsOf(record)).toEqual({ spans: 0, logs: 0, points: 0 });
    expect(record.problems).toEqual([]);
  });

  it('keeps 64-bit times exact in OTLP/JSON', () => {
    const request = otlpRequests().traces;
    const text = JSON.stringify(request).replace(
      /"startTimeUnixNano":"(\d+)"/,
      '"startTimeUnixNano":$1',
    );

    const record = decode(Buffer.from(text));

    expect(record.spans[0]?.item.start_time_unix_nano).toBe(
      BigInt(T0_MS) * 1_000_000n,
    );
  });

  it('reads protobuf that starts like JSON', () => {
    // A first resource of 123 bytes encodes as 0a 7b: a line feed and {.
    let name = 'checkout';
    let data: Buffer = Buffer.alloc(0);
    for (let length = 1; length < 200; length += 1) {
      name = 'x'.repeat(length);
      const request = otlpRequests().traces;
      const resource = request.resourceSpans as Record<string, unknown>[];
      const first = resource[0] as Record<string, unknown>;
      first.resource = {
        attributes: [{ key: 'service.name', value: { stringValue: name } }],
      };
      data = protobufOf('traces', request);
      if (data[1] === 0x7b) break;
    }
    expect(data.subarray(0, 2)).toEqual(Buffer.from('\n{'));

    const record = decode(data);

    expect(record.spans[0]?.item.service).toBe(name);
    expect(record.problems).toEqual([]);
  });
});

describe('decodeRecord with unreadable data', () => {
  it.each([
    ['text', Buffer.from('hello world')],
    ['random bytes', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37])],
    ['empty data', Buffer.alloc(0)],
  ])('reports %s', (_name, data) => {
    const record = decode(data);

    expect(countsOf(record)).toEqual({ spans: 0, logs: 0, points: 0 });
    expect(record.problems).toHaveLength(1);
    expect(record.problems[0]).toMatch(/is not JSON, gzip or an OTLP/);
  });

  it('reports broken gzip', () => {
    const data = gzip(json(firstDocument())).subarray(0, 12);

    const record = decode(data);

    expect(record.problems[0]).toMatch(/gzip member at byte 0/);
  });

  it('reports JSON that does not parse', () => {
    const record = decode(Buffer.from('{"messageType": }{"a":1}'));

    expect(record.problems[0]).toMatch(/^document 1: invalid JSON/);
  });
});

describe('decodeRecord on arbitrary data', () => {
  const envelope = fc.record({
    type: fc.constantFrom('log', 'metric', 'span', 'other'),
    service: fc.string(),
    message: fc.string(),
    timestamp: fc.oneof(fc.integer(), fc.string()),
  });
  const document = fc.oneof(
    envelope,
    fc.constant(controlMessage()),
    fc.constant(firstDocument()),
    fc.constant(otlpRequests().traces),
    fc.jsonValue(),
  );

  it('returns problems instead of raising for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const data = Buffer.from(bytes);
        const record = decode(data);
        expect(record.decodedBytes).toBe(data.length);
      }),
    );
  });

  it('reads every document of a random concatenation', () => {
    fc.assert(
      fc.property(
        fc.array(document, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('', '\n', '\n\n'),
        (documents, separator) => {
          const objects = documents.filter(
            (item) => typeof item === 'object' && item !== null,
          );
          const data = concatenated(objects, separator);
          const record = decode(data);
          const trailing = record.problems.filter((p) =>
            /trailing|cut off/.test(p),
          );
          expect(trailing).toEqual([]);
        },
      ),
    );
  });

  it('keeps the documents before random garbage', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (garbage) => {
        fc.pre(!/^\s*[[{]/.test(garbage) && garbage.trim() !== '');
        const documents = concatenated([firstDocument(), secondDocument()]);
        const data = Buffer.concat([documents, Buffer.from(garbage)]);

        const record = decode(data);

        expect(record.logs).toHaveLength(3);
        expect(record.problems).toHaveLength(1);
      }),
    );
  });
});
