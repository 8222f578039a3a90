import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_DECOMPRESSED_BODY_BYTES,
  MAX_JSON_DEPTH,
  MAX_LABEL_KEY_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_LOG_ATTRIBUTES,
  MAX_LOG_MESSAGE_BYTES,
  MAX_METRIC_LABELS,
  MAX_RESOURCE_ATTRIBUTES,
  MAX_SERVICE_NAME_LENGTH,
  MAX_SPAN_ATTRIBUTES,
  MAX_SPAN_EVENTS,
  MAX_SPAN_LINKS,
  MAX_WIRE_BODY_BYTES,
  TRUNCATION_MARK,
} from '#shared/limits.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  TEST_CONFIG,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Date.parse('2026-01-15T12:00:00Z');
const MAX_AGE_MS = TEST_CONFIG.ingestMaxAgeMs;
const MAX_FUTURE_MS = TEST_CONFIG.ingestMaxFutureMs;

let server: TestServer;
let serial = 0;
const api = (path: string) => `${server.url}/api/observatory${path}`;

/** Builds an object of `count` keys `k0`, `k1`, ... with `value`. */
function keys(count: number, value: unknown = 'v'): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`k${i}`, value]),
  );
}

function nextId(digits: number): string {
  serial += 1;
  return serial.toString(16).padStart(digits, '7');
}

function span(fields: Record<string, unknown> = {}) {
  return {
    trace_id: nextId(32),
    span_id: nextId(16),
    service: 'checkout',
    name: 'GET /limits',
    start_time: T0_MS - 2_000,
    end_time: T0_MS - 1_000,
    ...fields,
  };
}

/** Ingests one span and returns it as GET /traces/{id} shows it. */
async function ingestAndRead(fields: Record<string, unknown>) {
  const sent = span(fields);
  const response = await postJson(api('/traces/spans/ingest'), {
    spans: [sent],
  });
  expect(response.body).toEqual({ accepted: 1, rejected: [] });
  const trace = await getJson(api(`/traces/${sent.trace_id}`));
  return JSON.stringify(trace.body).includes(sent.span_id)
    ? findSpan(trace.body, sent.span_id)
    : undefined;
}

function findSpan(node: any, spanId: string): any {
  if (node === null || typeof node !== 'object') return undefined;
  if (node.span_id === spanId) return node;
  for (const child of Object.values(node)) {
    const found = findSpan(child, spanId);
    if (found) return found;
  }
  return undefined;
}

/** Sends a batch whose item 0 is valid and item 1 breaks a cap. */
async function batchOf(
  path: string,
  field: string,
  valid: unknown,
  bad: unknown,
) {
  const response = await postJson(api(path), { [field]: [valid, bad] });
  expect(response.status).toBe(200);
  expect(response.body.accepted).toBe(1);
  expect(response.body.rejected.map((r: { index: number }) => r.index)).toEqual(
    [1],
  );
  return response.body.rejected[0].reason as string;
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('request bodies', () => {
  it('answers 413 above the wire limit', async () => {
    const body = `{"logs":[],"pad":"${'x'.repeat(MAX_WIRE_BODY_BYTES)}"}`;

    const response = await postJson(api('/logs/ingest/batch'), body);

    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain(String(MAX_WIRE_BODY_BYTES));
  });

  it('answers 413 above the decompressed limit', async () => {
    const response = await fetch(api('/logs/ingest/batch'), {
      method: 'POST',
      headers: { ...AUTH, 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BODY_BYTES + 1, ' ')),
    });
    const body: any = await response.json();

    expect(response.status).toBe(413);
    expect(body.error.message).toContain(String(MAX_DECOMPRESSED_BODY_BYTES));
  });

  it('answers 400 above the nesting depth', async () => {
    const nested = (depth: number) =>
      `{"logs":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

    const within = await postJson(
      api('/logs/ingest/batch'),
      nested(MAX_JSON_DEPTH),
    );
    const over = await postJson(
      api('/logs/ingest/batch'),
      nested(MAX_JSON_DEPTH + 1),
    );

    expect(within.status).toBe(200);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });
});

describe('span caps', () => {
  it('caps attributes and counts the rest', async () => {
    const stored = await ingestAndRead({
      attributes: keys(MAX_SPAN_ATTRIBUTES + 3),
    });

    expect(Object.keys(stored.attributes)).toHaveLength(MAX_SPAN_ATTRIBUTES);
    expect(stored.dropped_attributes_count).toBe(3);
  });

  it('drops and counts a long attribute key', async () => {
    const long = 'k'.repeat(MAX_ATTRIBUTE_KEY_BYTES + 1);
    const longest = 'é'.repeat(MAX_ATTRIBUTE_KEY_BYTES / 2);

    const stored = await ingestAndRead({
      attributes: { [long]: 'a', [longest]: 'b' },
    });

    expect(stored.attributes).toEqual({ [longest]: 'b' });
    expect(stored.dropped_attributes_count).toBe(1);
  });

  it('cuts long values on character boundaries', async () => {
    const stored = await ingestAndRead({
      attributes: {
        ascii: 'x'.repeat(MAX_ATTRIBUTE_VALUE_BYTES + 1),
        accented: 'é'.repeat(MAX_ATTRIBUTE_VALUE_BYTES),
        fits: 'y'.repeat(MAX_ATTRIBUTE_VALUE_BYTES),
      },
    });
    const { ascii, accented, fits } = stored.attributes;

    expect(Buffer.byteLength(ascii)).toBeLessThanOrEqual(
      MAX_ATTRIBUTE_VALUE_BYTES,
    );
    expect(ascii.endsWith(TRUNCATION_MARK)).toBe(true);
    expect(Buffer.byteLength(accented)).toBeLessThanOrEqual(
      MAX_ATTRIBUTE_VALUE_BYTES,
    );
    expect(accented).toMatch(/^é+…$/);
    expect(fits).toHaveLength(MAX_ATTRIBUTE_VALUE_BYTES);
  });

  it('caps events and links and counts them', async () => {
    const event = { name: 'retry', time: T0_MS - 1_500 };
    const link = { trace_id: '1'.repeat(32), span_id: '2'.repeat(16) };

    const stored = await ingestAndRead({
      events: Array.from({ length: MAX_SPAN_EVENTS + 2 }, () => event),
      links: Array.from({ length: MAX_SPAN_LINKS + 1 }, () => link),
    });

    expect(stored.events).toHaveLength(MAX_SPAN_EVENTS);
    expect(stored.dropped_events_count).toBe(2);
    expect(stored.links).toHaveLength(MAX_SPAN_LINKS);
    expect(stored.dropped_links_count).toBe(1);
  });

  it.each([
    [
      'too many resource keys',
      { resource: keys(MAX_RESOURCE_ATTRIBUTES + 1) },
      String(MAX_RESOURCE_ATTRIBUTES),
    ],
    [
      'a long service name',
      { service: 's'.repeat(MAX_SERVICE_NAME_LENGTH + 1) },
      String(MAX_SERVICE_NAME_LENGTH),
    ],
    [
      'a start before the window',
      {
        start_time: T0_MS - MAX_AGE_MS - 1_000,
        end_time: T0_MS - MAX_AGE_MS - 500,
      },
      'older than',
    ],
    [
      'a start after the window',
      {
        start_time: T0_MS + MAX_FUTURE_MS + 1_000,
        end_time: T0_MS + MAX_FUTURE_MS + 2_000,
      },
      'in the future',
    ],
  ])(
    'rejects a span with %s and stores the rest',
    async (_name, fields, text) => {
      const reason = await batchOf(
        '/traces/spans/ingest',
        'spans',
        span(),
        span(fields),
      );

      expect(reason).toContain(text);
    },
  );
});

describe('log record caps', () => {
  const log = (fields: Record<string, unknown> = {}) => ({
    service: 'checkout',
    message: `log ${nextId(8)}`,
    timestamp: T0_MS - 1_000,
    ...fields,
  });

  it.each([
    [
      'too many attributes',
      { attributes: keys(MAX_LOG_ATTRIBUTES + 1) },
      String(MAX_LOG_ATTRIBUTES),
    ],
    [
      'too many resource keys',
      { resource: keys(MAX_LOG_ATTRIBUTES + 1) },
      String(MAX_LOG_ATTRIBUTES),
    ],
    [
      'a long attribute key',
      { attributes: { ['k'.repeat(MAX_ATTRIBUTE_KEY_BYTES + 1)]: 'v' } },
      String(MAX_ATTRIBUTE_KEY_BYTES),
    ],
    [
      'a long message',
      { message: 'm'.repeat(MAX_LOG_MESSAGE_BYTES + 1) },
      String(MAX_LOG_MESSAGE_BYTES),
    ],
    [
      'a long service name',
      { service: 's'.repeat(MAX_SERVICE_NAME_LENGTH + 1) },
      'service',
    ],
    [
      'a time before the window',
      { timestamp: T0_MS - MAX_AGE_MS - 1_000 },
      'older than',
    ],
    [
      'a time after the window',
      { timestamp: T0_MS + MAX_FUTURE_MS + 1_000 },
      'in the future',
    ],
  ])(
    'rejects a record with %s and stores the rest',
    async (_name, fields, text) => {
      const reason = await batchOf(
        '/logs/ingest/batch',
        'logs',
        log(),
        log(fields),
      );

      expect(reason).toContain(text);
    },
  );

  it('accepts a message of exactly the limit', async () => {
    const response = await postJson(
      api('/logs/ingest'),
      log({
        message: 'm'.repeat(MAX_LOG_MESSAGE_BYTES),
      }),
    );

    expect(response.status).toBe(200);
  });

  it('cuts a long attribute value and marks it', async () => {
    const marker = `cut-${nextId(8)}`;
    await postJson(
      api('/logs/ingest'),
      log({
        message: marker,
        attributes: { long: 'z'.repeat(MAX_ATTRIBUTE_VALUE_BYTES * 2) },
      }),
    );

    const found = await postJson(api('/logs/search'), {
      query: marker,
      start: T0_MS - 60_000,
      end: T0_MS,
    });
    const value = found.body.logs[0].attributes.long as string;

    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(
      MAX_ATTRIBUTE_VALUE_BYTES,
    );
    expect(value.endsWith(TRUNCATION_MARK)).toBe(true);
  });
});

describe('metric point caps', () => {
  const point = (fields: Record<string, unknown> = {}) => ({
    service: 'checkout',
    name: `limits.metric.${nextId(4)}`,
    type: 'gauge',
    value: 1,
    timestamp: T0_MS - 1_000,
    ...fields,
  });

  it.each([
    [
      'too many labels',
      { labels: keys(MAX_METRIC_LABELS + 1) },
      String(MAX_METRIC_LABELS),
    ],
    [
      'a long label key',
      { labels: { ['k'.repeat(MAX_LABEL_KEY_LENGTH + 1)]: 'v' } },
      String(MAX_LABEL_KEY_LENGTH),
    ],
    [
      'a long label value',
      { labels: { host: 'v'.repeat(MAX_LABEL_VALUE_LENGTH + 1) } },
      String(MAX_LABEL_VALUE_LENGTH),
    ],
    [
      'a long service name',
      { service: 's'.repeat(MAX_SERVICE_NAME_LENGTH + 1) },
      String(MAX_SERVICE_NAME_LENGTH),
    ],
    [
      'a time before the window',
      { timestamp: T0_MS - MAX_AGE_MS - 1_000 },
      'older than',
    ],
    [
      'a time after the window',
      { timestamp: T0_MS + MAX_FUTURE_MS + 1_000 },
      'in the future',
    ],
  ])(
    'rejects a point with %s and stores the rest',
    async (_name, fields, text) => {
      const reason = await batchOf(
        '/metrics/ingest/batch',
        'points',
        point(),
        point(fields),
      );

      expect(reason).toContain(text);
    },
  );

  it('accepts labels at every limit', async () => {
    const labels = {
      ...keys(MAX_METRIC_LABELS - 2),
      ['k'.repeat(MAX_LABEL_KEY_LENGTH)]: 'v',
      host: 'v'.repeat(MAX_LABEL_VALUE_LENGTH),
    };

    const response = await postJson(api('/metrics/ingest'), point({ labels }));

    expect(response.status).toBe(200);
  });
});
