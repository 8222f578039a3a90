import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { decodeProtobufStatus } from '#shared/otlp/protobuf.js';
import {
  postOtlpBytes,
  postOtlpJson,
  postOtlpProtobuf,
} from '#test/fixtures/otlp/http.js';
import {
  resourceOf,
  span,
  T0_NANO,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';
import {
  AUTH,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0 = T0_NANO;
const T0_MS = Number(T0 / 1_000_000n);
const SIGNALS = ['traces', 'metrics', 'logs'] as const;

let server: TestServer;
let idCounter = 0;

function freshSpanRequest() {
  idCounter += 1;
  const traceId = idCounter.toString(16).padStart(32, 'c');
  return {
    traceId,
    request: traceRequest([span(T0, { traceId })], resourceOf('gw')),
  };
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('OTLP/HTTP content types', () => {
  it.each(SIGNALS)(
    'returns 415 naming both types on /v1/%s',
    async (signal) => {
      const response = await postOtlpJson(
        server.url,
        signal,
        {},
        {
          contentType: 'text/plain',
        },
      );

      expect(response.status).toBe(415);
      expect(response.body.error.message).toContain('application/x-protobuf');
      expect(response.body.error.message).toContain('application/json');
    },
  );

  it('accepts a content type with parameters', async () => {
    const { request } = freshSpanRequest();
    const response = await postOtlpJson(server.url, 'traces', request, {
      contentType: 'application/json; charset=utf-8',
    });

    expect(response.status).toBe(200);
  });

  it.each(SIGNALS)('responds to JSON in JSON on /v1/%s', async (signal) => {
    const response = await postOtlpJson(server.url, signal, {});

    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body).toEqual({});
  });

  it.each(SIGNALS)(
    'responds to protobuf in protobuf on /v1/%s',
    async (signal) => {
      const response = await postOtlpBytes(server.url, signal, Buffer.alloc(0));

      expect(response.status).toBe(200);
      expect(response.contentType).toBe('application/x-protobuf');
      expect(response.body).toEqual({});
    },
  );
});

describe('OTLP/HTTP gzip', () => {
  it.each(['json', 'protobuf'] as const)(
    'stores a gzip %s request',
    async (format) => {
      const { traceId, request } = freshSpanRequest();
      const post = format === 'json' ? postOtlpJson : postOtlpProtobuf;

      const response = await post(server.url, 'traces', request, {
        gzip: true,
      });

      expect(response.status).toBe(200);
      expect(await server.stores.traces.getTrace(traceId)).toHaveLength(1);
    },
  );

  it('returns 400 for a body that is not gzip', async () => {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: {
        ...AUTH,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: 'not gzip',
    });

    expect(response.status).toBe(400);
  });
});

describe('OTLP/HTTP bad input', () => {
  it.each([
    ['invalid JSON', '{"resourceSpans": ['],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"spans"'],
    ['resourceSpans as an object', '{"resourceSpans":{}}'],
  ])('returns 400 for %s', async (_name, body) => {
    const response = await postOtlpJson(server.url, 'traces', body);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
  });

  it('returns a google.rpc.Status for bad protobuf', async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);

    const response = await postOtlpBytes(server.url, 'traces', garbage);

    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/x-protobuf');
    expect(response.body.code).toBe(3);
    expect(response.body.message).toContain('not a valid OTLP traces protobuf');
  });

  it('returns a google.rpc.Status for bad gzip in protobuf', async () => {
    const response = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: {
        ...AUTH,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
      },
      body: Buffer.from('not gzip'),
    });
    const status = decodeProtobufStatus(
      Buffer.from(await response.arrayBuffer()),
    );

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(status.code).toBe(3);
    expect(status.message).toContain('not valid gzip');
  });

  it('reports partial success in protobuf', async () => {
    const { traceId, request } = freshSpanRequest();
    const bad = span(T0, { traceId, spanId: '0'.repeat(16) });
    request.resourceSpans[0]?.scopeSpans[0]?.spans.push(bad);

    const response = await postOtlpProtobuf(server.url, 'traces', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe('1');
    expect(response.body.partialSuccess.errorMessage).toContain(
      'spans[1].spanId: invalid span id: all zeros',
    );
  });
});
