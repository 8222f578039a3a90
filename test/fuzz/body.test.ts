import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DECOMPRESSED_BODY_BYTES } from '#shared/limits.js';
import type { RouteKey } from '#shared/routes.js';
import { VALID_BODIES } from './documents.js';
import {
  bodyOf,
  expectHandled,
  type FuzzEnv,
  invoke,
  runs,
  startFuzzEnv,
} from './support.js';

const GZIP = { 'content-encoding': 'gzip' };
const ROUTES_WITH_BODY: RouteKey[] = [
  'POST /api/observatory/logs/ingest/batch',
  'POST /api/observatory/traces/spans/ingest',
  'POST /api/observatory/metrics/ingest/batch',
  'POST /v1/logs',
];

function gzipOf(key: RouteKey): Buffer {
  const document = VALID_BODIES[key] ?? {};
  return gzipSync(Buffer.from(JSON.stringify(document)));
}

/** Builds a gzip member that inflates to `bytes` zero bytes. */
function zipBomb(bytes: number): Buffer {
  return gzipSync(Buffer.alloc(bytes), { level: 9 });
}

let env: FuzzEnv;

beforeAll(async () => {
  env = await startFuzzEnv();
});

afterAll(async () => {
  await env.close();
});

describe('body encodings under damage', () => {
  it.each(ROUTES_WITH_BODY)('%s answers cut gzip with 400', async (key) => {
    const whole = gzipOf(key);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: whole.length - 1 }), async (length) => {
        const result = await invoke(env, key, {
          body: whole.subarray(0, length),
          headers: GZIP,
        });
        expectHandled(result);
        expect(result.statusCode).toBe(400);
      }),
      runs(10),
    );
  });

  it.each(ROUTES_WITH_BODY)('%s answers corrupt gzip', async (key) => {
    const whole = gzipOf(key);
    const flip = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }));
    await fc.assert(
      fc.asyncProperty(flip, async ([at, mask]) => {
        const body = Buffer.from(whole);
        const index = at % body.length;
        body[index] = (body[index] ?? 0) ^ mask;
        expectHandled(await invoke(env, key, { body, headers: GZIP }));
      }),
      runs(15),
    );
  });

  it.each(ROUTES_WITH_BODY)('%s answers random bytes as gzip', async (key) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        const result = await invoke(env, key, {
          body: Buffer.from(bytes),
          headers: GZIP,
        });
        expectHandled(result);
        expect(result.statusCode).toBe(400);
      }),
      runs(10),
    );
  });

  it.each(ROUTES_WITH_BODY)('%s answers a zip bomb with 413', async (key) => {
    const result = await invoke(env, key, {
      body: zipBomb(MAX_DECOMPRESSED_BODY_BYTES + 1),
      headers: GZIP,
    });

    expectHandled(result);
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result).error.message).toContain(
      String(MAX_DECOMPRESSED_BODY_BYTES),
    );
  });

  it('answers base64 that is not base64', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const event = { body, base64: true };
        const result = await invoke(
          env,
          'POST /api/observatory/logs/ingest/batch',
          event,
        );
        expectHandled(result);
      }),
      runs(20),
    );
  });

  it('answers an unknown content encoding with 400', async () => {
    const result = await invoke(env, 'POST /v1/traces', {
      body: gzipOf('POST /v1/traces'),
      headers: { 'content-encoding': 'br' },
    });

    expectHandled(result);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error.message).toContain('content-encoding br');
  });
});
