import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeProtobufRequest,
  type OtlpSignal,
} from '#shared/otlp/protobuf.js';
import type { RouteKey } from '#shared/routes.js';
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
  hostileBodyText,
  hostileItem,
  mutate,
  mutation,
  surrogateChange,
  withSurrogate,
} from './arbitraries.js';
import {
  bodyOf,
  expectHandled,
  type FuzzEnv,
  invoke,
  runs,
  startFuzzEnv,
  T0_MS,
} from './support.js';

const SIGNALS: OtlpSignal[] = ['traces', 'metrics', 'logs'];
const JSON_TYPE = { 'content-type': 'application/json' };
const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };

const keyOf = (signal: OtlpSignal) => `POST /v1/${signal}` as RouteKey;

/** A valid request of each signal, in the OTLP JSON shape. */
const VALID: Record<OtlpSignal, Record<string, unknown>> = {
  traces: traceRequest(
    [span(T0_NANO, { attributes: [str('http.route', '/pay')] })],
    resourceOf('checkout'),
  ),
  metrics: metricsRequest([
    gauge('cpu.util', [{ timeUnixNano: at(T0_NANO, 0), asDouble: 0.5 }]),
  ]),
  logs: logsRequest([logRecord(T0_NANO)], resourceOf('checkout')),
};

function str(key: string, value: string) {
  return { key, value: { stringValue: value } };
}

/** Encodes the valid request as protobuf, its hex ids turned into bytes. */
function validProtobuf(signal: OtlpSignal): Buffer {
  const request = structuredClone(VALID[signal]);
  const text = JSON.stringify(request).replace(
    /"(traceId|spanId)":"([0-9a-f]+)"/g,
    (_m, field: string, hex: string) =>
      `"${field}":"${Buffer.from(hex, 'hex').toString('base64')}"`,
  );
  return encodeProtobufRequest(signal, JSON.parse(text));
}

/** Byte-level damage: flipped bits, inserted noise and a cut. */
interface ByteDamage {
  flips: [number, number][];
  cut: number | null;
  insert: [number, Uint8Array] | null;
}

const byteDamage: fc.Arbitrary<ByteDamage> = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
    maxLength: 4,
  }),
  cut: fc.option(fc.nat()),
  insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 }))),
});

function damage(bytes: Buffer, change: ByteDamage): Buffer {
  const copy = Buffer.from(bytes);
  for (const [at, mask] of change.flips) {
    const index = at % copy.length;
    copy[index] = (copy[index] ?? 0) ^ mask;
  }
  let result = copy;
  if (change.insert) {
    const [place, noise] = change.insert;
    const index = place % (result.length + 1);
    result = Buffer.concat([
      result.subarray(0, index),
      Buffer.from(noise),
      result.subarray(index),
    ]);
  }
  if (change.cut !== null)
    result = result.subarray(0, change.cut % (result.length + 1));
  return result;
}

let env: FuzzEnv;

beforeAll(async () => {
  env = await startFuzzEnv();
});

afterAll(async () => {
  await env.close();
});

describe('OTLP decoders under arbitrary input', () => {
  it.each(SIGNALS)('/v1/%s answers any bytes as protobuf', async (signal) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const body = Buffer.from(bytes);
        const result = await invoke(env, keyOf(signal), {
          body,
          headers: PROTOBUF_TYPE,
        });
        expectHandled(result);
      }),
      runs(40),
    );
  });

  it.each(SIGNALS)('/v1/%s answers damaged protobuf', async (signal) => {
    const valid = validProtobuf(signal);
    await fc.assert(
      fc.asyncProperty(byteDamage, async (change) => {
        const result = await invoke(env, keyOf(signal), {
          body: damage(valid, change),
          headers: PROTOBUF_TYPE,
        });
        expectHandled(result);
      }),
      runs(40),
    );
  });

  it.each(SIGNALS)('/v1/%s answers any JSON body', async (signal) => {
    await fc.assert(
      fc.asyncProperty(hostileBodyText, async (body) => {
        const result = await invoke(env, keyOf(signal), {
          body,
          headers: JSON_TYPE,
        });
        expectHandled(result);
      }),
      runs(40),
    );
  });

  it.each(SIGNALS)('/v1/%s answers mutated JSON requests', async (signal) => {
    await fc.assert(
      fc.asyncProperty(mutation, async (change) => {
        const body = JSON.stringify(mutate(VALID[signal], change));
        const result = await invoke(env, keyOf(signal), {
          body,
          headers: JSON_TYPE,
        });
        expectHandled(result);
      }),
      runs(40),
    );
  });

  it.each(SIGNALS)(
    '/v1/%s stores text with lone surrogates',
    async (signal) => {
      await fc.assert(
        fc.asyncProperty(surrogateChange, async (change) => {
          const document = withSurrogate(VALID[signal], change);
          const result = await invoke(env, keyOf(signal), {
            body: JSON.stringify(document),
            headers: JSON_TYPE,
          });
          expectHandled(result);
        }),
        runs(15),
      );
    },
  );

  it.each(SIGNALS)(
    '/v1/%s answers bodies under the wrong type',
    async (signal) => {
      const protobuf = validProtobuf(signal);
      const json = JSON.stringify(VALID[signal]);
      const asJson = await invoke(env, keyOf(signal), {
        body: protobuf,
        headers: JSON_TYPE,
      });
      const asProtobuf = await invoke(env, keyOf(signal), {
        body: Buffer.from(json),
        headers: PROTOBUF_TYPE,
      });

      expectHandled(asJson);
      expectHandled(asProtobuf);
      expect(asJson.statusCode).toBe(400);
    },
  );
});

describe('OTLP requests with invalid items', () => {
  let serial = 0;

  it('stores a valid span among invalid ones', async () => {
    const items = fc.tuple(fc.array(hostileItem, { maxLength: 5 }), fc.nat());
    await fc.assert(
      fc.asyncProperty(items, async ([junk, place]) => {
        serial += 1;
        const traceId = serial.toString(16).padStart(32, 'd');
        const spans = [...junk];
        spans.splice(place % (junk.length + 1), 0, span(T0_NANO, { traceId }));
        const result = await invoke(env, 'POST /v1/traces', {
          body: JSON.stringify(traceRequest(spans, resourceOf('fuzz'))),
          headers: JSON_TYPE,
        });

        expectHandled(result);
        expect(result.statusCode).toBe(200);
        const rejected = bodyOf(result).partialSuccess?.rejectedSpans ?? 0;
        expect(rejected).toBeLessThanOrEqual(junk.length);
        expect(await env.stores.traces.getTrace(traceId)).toHaveLength(1);
      }),
      runs(30),
    );
  });

  it('stores a valid log record among invalid ones', async () => {
    const items = fc.tuple(fc.array(hostileItem, { maxLength: 5 }), fc.nat());
    await fc.assert(
      fc.asyncProperty(items, async ([junk, place]) => {
        serial += 1;
        const text = `fuzz-otlp-log-${serial}-marker`;
        const valid = logRecord(T0_NANO, { body: { stringValue: text } });
        const records = [...junk];
        records.splice(place % (junk.length + 1), 0, valid);
        const result = await invoke(env, 'POST /v1/logs', {
          body: JSON.stringify(logsRequest(records, resourceOf('fuzz'))),
          headers: JSON_TYPE,
        });

        expectHandled(result);
        expect(result.statusCode).toBe(200);
        const found = await env.stores.logs.search({
          start_ms: T0_MS - 60_000,
          end_ms: T0_MS + 60_000,
          text,
          limit: 10,
        });
        expect(found.items).toHaveLength(1);
      }),
      runs(20),
    );
  });

  it('stores a valid metric among invalid ones', async () => {
    const items = fc.tuple(fc.array(hostileItem, { maxLength: 5 }), fc.nat());
    await fc.assert(
      fc.asyncProperty(items, async ([junk, place]) => {
        serial += 1;
        const name = `fuzz.otlp.metric.${serial}`;
        const valid = gauge(name, [
          { timeUnixNano: at(T0_NANO, 0), asInt: '3' },
        ]);
        const metrics = [...junk];
        metrics.splice(place % (junk.length + 1), 0, valid);
        const result = await invoke(env, 'POST /v1/metrics', {
          body: JSON.stringify(metricsRequest(metrics, resourceOf('fuzz'))),
          headers: JSON_TYPE,
        });

        expectHandled(result);
        expect(result.statusCode).toBe(200);
        const listed = await env.stores.metrics.listMetrics({
          service: 'fuzz',
          limit: 10_000,
        });
        expect(listed.map((metric) => metric.name)).toContain(name);
      }),
      runs(20),
    );
  });
});
