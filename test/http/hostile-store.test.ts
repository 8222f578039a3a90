import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { StoreError } from '#shared/errors.js';
import {
  decodeProtobufStatus,
  encodeProtobufRequest,
  type OtlpSignal,
} from '#shared/otlp/protobuf.js';
import type { Stores } from '#shared/store/ports.js';
import {
  at,
  gauge,
  logRecord,
  logsRequest,
  metricsRequest,
  resourceOf,
  span,
  T0_NANO,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';
import {
  AUTH,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Number(T0_NANO / 1_000_000n);
type StoreName = 'traces' | 'metrics' | 'logs';

let server: TestServer;
const originals = new Map<StoreName, Stores[StoreName]>();

/** Methods that store a batch; span ingest writes through the second. */
const WRITES = new Set<string | symbol>(['write', 'writeWithRelated']);

/**
 * Replaces a store of the running server with one whose writes throw
 * `error`; every other method still reaches the real store.
 */
function breakWrites(name: StoreName, error: Error): void {
  const real = server.stores[name];
  originals.set(name, real);
  const broken = new Proxy(real, {
    get(target, property, receiver) {
      if (WRITES.has(property)) return () => Promise.reject(error);
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  Object.assign(server.stores, { [name]: broken });
}

function repairStores(): void {
  for (const [name, store] of originals) {
    Object.assign(server.stores, { [name]: store });
  }
  originals.clear();
}

/** Encodes a request as protobuf, its hex ids turned into bytes. */
function protobufOf(signal: OtlpSignal, request: object): Buffer {
  const text = JSON.stringify(request).replace(
    /"(traceId|spanId)":"([0-9a-f]+)"/g,
    (_match, field: string, hex: string) =>
      `"${field}":"${Buffer.from(hex, 'hex').toString('base64')}"`,
  );
  return encodeProtobufRequest(signal, JSON.parse(text));
}

const MEDIA_TYPES = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
} as const;

function payloadOf(
  signal: OtlpSignal,
  request: object | string,
  format: keyof typeof MEDIA_TYPES,
): string | Buffer {
  if (typeof request === 'string') return request;
  if (format === 'json') return JSON.stringify(request);
  return protobufOf(signal, request);
}

/** POSTs an OTLP export and returns status, headers and decoded body. */
async function exportTo(
  signal: OtlpSignal,
  request: object | string,
  format: keyof typeof MEDIA_TYPES = 'json',
) {
  const response = await fetch(`${server.url}/v1/${signal}`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': MEDIA_TYPES[format] },
    body: payloadOf(signal, request, format),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get('content-type') ?? '';
  const body = contentType.startsWith(MEDIA_TYPES.json)
    ? JSON.parse(raw.toString('utf8'))
    : decodeProtobufStatus(raw);
  return {
    status: response.status,
    contentType,
    retryAfter: response.headers.get('retry-after'),
    body,
  };
}

const REQUESTS = {
  traces: () =>
    traceRequest(
      [span(T0_NANO, { traceId: '5'.repeat(32) })],
      resourceOf('checkout'),
    ),
  metrics: () =>
    metricsRequest([
      gauge('queue.depth', [{ timeUnixNano: at(T0_NANO, 0), asDouble: 3 }]),
    ]),
  logs: () => logsRequest([logRecord(T0_NANO)], resourceOf('checkout')),
} as const;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterEach(() => {
  repairStores();
});

afterAll(async () => {
  await server.close();
});

describe('OTLP when the store fails', () => {
  it.each(['traces', 'metrics', 'logs'] as const)(
    'answers 503 with Retry-After on /v1/%s for a StoreError',
    async (signal) => {
      breakWrites(signal, new StoreError('backend unreachable'));

      const response = await exportTo(signal, REQUESTS[signal]());

      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('unavailable');
      expect(response.body.error.message).toContain('retry');
      expect(response.retryAfter).toBe('5');
    },
  );

  it('answers 503 for an unexpected error while storing', async () => {
    breakWrites('metrics', new TypeError('cannot read properties'));

    const response = await exportTo('metrics', REQUESTS.metrics());

    expect(response.status).toBe(503);
    expect(response.body.error.message).not.toContain('cannot read');
  });

  it('answers 503 as google.rpc.Status UNAVAILABLE to protobuf', async () => {
    breakWrites('traces', new StoreError('backend unreachable'));

    const response = await exportTo('traces', REQUESTS.traces(), 'protobuf');

    expect(response.status).toBe(503);
    expect(response.contentType).toMatch(/^application\/x-protobuf/);
    expect(response.body.code).toBe(14);
    expect(response.retryAfter).toBe('5');
  });

  it('keeps bad data at 400 while the store fails', async () => {
    breakWrites('traces', new StoreError('backend unreachable'));

    const response = await exportTo('traces', '{"resourceSpans":');

    expect(response.status).toBe(400);
  });

  it('stores the request once when it is retried', async () => {
    const traceId = '6'.repeat(32);
    const request = traceRequest(
      [span(T0_NANO, { traceId })],
      resourceOf('checkout'),
    );
    breakWrites('traces', new StoreError('backend unreachable'));
    const failed = await exportTo('traces', request);
    repairStores();

    const first = await exportTo('traces', request);
    const second = await exportTo('traces', request);

    expect(failed.status).toBe(503);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await server.stores.traces.getTrace(traceId)).toHaveLength(1);
  });

  it('keeps a generic 500 for our JSON API', async () => {
    breakWrites('logs', new StoreError('backend unreachable'));

    const response = await postJson(
      `${server.url}/api/observatory/logs/ingest`,
      { service: 'checkout', message: 'hello', timestamp: T0_MS },
    );

    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('internal_error');
    expect(response.body.error.message).not.toContain('backend');
  });
});
