import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { ROUTES } from '#shared/routes.js';
import {
  AUTH,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';
import { hostileBodyText, hostileString } from './arbitraries.js';
import { runs, T0_MS } from './support.js';

/** A path segment as a client might send it, escaped or not. */
const segment = fc.oneof(
  hostileString.map((text) => {
    try {
      return encodeURIComponent(text);
    } catch {
      return 'x';
    }
  }),
  fc.constantFrom('%', '%E0%A4%A', '..', '%2e%2e%2f', '%00', '%2F', ';'),
);

/** A route's path with every `{param}` filled by a hostile segment. */
const target = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 4 }))
  .map(([route, values]) => {
    let next = 0;
    const path = route.path.replace(/\{[a-z_]+\}/g, () => {
      next += 1;
      return values[next - 1] || 'x';
    });
    return { method: route.method, path };
  });

const body = fc.oneof(
  hostileBodyText.map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/x-protobuf',
  'text/plain',
  'application/json; charset=utf-16',
  '',
);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('local server under arbitrary requests', () => {
  it('answers every request below 500', async () => {
    const request = fc.record({
      target,
      body,
      contentType,
      gzip: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(request, async (sent) => {
        const headers: Record<string, string> = { ...AUTH };
        if (sent.contentType) headers['content-type'] = sent.contentType;
        if (sent.gzip) headers['content-encoding'] = 'gzip';
        const payload = sent.gzip ? gzipSync(sent.body) : sent.body;
        const hasBody = sent.target.method !== 'GET';
        const response = await fetch(`${server.url}${sent.target.path}`, {
          method: sent.target.method,
          headers,
          body: hasBody ? payload : undefined,
        });
        await response.arrayBuffer();

        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }),
      runs(60),
    );

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});
