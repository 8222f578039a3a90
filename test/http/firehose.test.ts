import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { StoreError } from '#shared/errors.js';
import type { LogRecord } from '#shared/model/log.js';
import {
  controlMessage,
  firstDocument,
  NOW_MS,
  secondDocument,
  T0_MS,
} from '#test/fixtures/streams/cloudwatch.js';
import { otlpRequests, protobufOf } from '#test/fixtures/streams/otlp.js';
import {
  concatenated,
  firehoseBody,
  gzip,
} from '#test/fixtures/streams/records.js';
import {
  startTestServer,
  TEST_CONFIG,
  type TestServer,
} from '#test/support/server.js';

const ACCESS_KEY = 'firehose-test-access-key';
const REQUEST_ID = '9ec6b6f8-8b93-4734-8521-3e78a9517f5f';
const HOUR_MS = 3_600_000;

let server: TestServer;

/** A fresh server per test, because the cases' records share their ids. */
beforeEach(async () => {
  server = await startTestServer({
    clock: fixedClock(NOW_MS),
    config: {
      streams: { ...TEST_CONFIG.streams, firehoseAccessKey: ACCESS_KEY },
    },
  });
});

afterEach(async () => {
  await server.close();
});

interface PostOptions {
  key?: string | null;
  gzip?: boolean;
  headers?: Record<string, string>;
  url?: string;
}

/** POSTs a delivery request as Firehose does, with its headers. */
async function deliver(body: unknown, options: PostOptions = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amz-firehose-protocol-version': '1.0',
    'x-amz-firehose-request-id': REQUEST_ID,
    ...options.headers,
  };
  const key = options.key === undefined ? ACCESS_KEY : options.key;
  if (key !== null) headers['x-amz-firehose-access-key'] = key;
  if (options.gzip) headers['content-encoding'] = 'gzip';
  const response = await fetch(
    `${options.url ?? server.url}/api/observatory/firehose`,
    {
      method: 'POST',
      headers,
      body: options.gzip ? gzipSync(text) : text,
    },
  );
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(await response.text()),
  };
}

async function storedLogs(): Promise<LogRecord[]> {
  const page = await server.stores.logs.search({
    start_ms: T0_MS - HOUR_MS,
    end_ms: NOW_MS + HOUR_MS,
    limit: 1000,
  });
  return page.items.sort((a, b) => a.log_id.localeCompare(b.log_id));
}

function summaryOf(logs: LogRecord[]) {
  return logs.map((log) => ({
    id: log.log_id,
    message: log.message,
    stream: log.attributes['aws.log.stream.name'],
  }));
}

const THREE_LOGS = [
  { id: 'e1', message: 'first line', stream: { stringValue: 'stream-1' } },
  {
    id: 'e2',
    message: 'payload }{ with braces',
    stream: { stringValue: 'stream-1' },
  },
  { id: 'e3', message: 'third line', stream: { stringValue: 'stream-2' } },
];

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

describe('POST /api/observatory/firehose', () => {
  it('acknowledges a control message and stores nothing', async () => {
    const body = firehoseBody(REQUEST_ID, [gzip(json(controlMessage()))]);

    const response = await deliver(body);

    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body).toEqual({ requestId: REQUEST_ID, timestamp: NOW_MS });
    expect(await storedLogs()).toEqual([]);
  });

  it('handles a gzip body like a plain one', async () => {
    const body = firehoseBody(REQUEST_ID, [gzip(json(controlMessage()))]);

    const response = await deliver(body, { gzip: true });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ requestId: REQUEST_ID, timestamp: NOW_MS });
  });

  it.each([
    ['a wrong access key', 'wrong-key'],
    ['no access key', null],
  ])('rejects %s with 401', async (_name, key) => {
    const body = firehoseBody(REQUEST_ID, [json(firstDocument())]);

    const response = await deliver(body, { key });

    expect(response.status).toBe(401);
    expect(response.body.requestId).toBe(REQUEST_ID);
    expect(response.body.timestamp).toBe(NOW_MS);
    expect(response.body.errorMessage).toMatch(/X-Amz-Firehose-Access-Key/);
    expect(await storedLogs()).toEqual([]);
  });

  it('rejects every request when no access key is configured', async () => {
    const open = await startTestServer({ clock: fixedClock(NOW_MS) });
    try {
      const body = firehoseBody(REQUEST_ID, [json(firstDocument())]);

      const response = await deliver(body, { url: open.url });

      expect(response.status).toBe(401);
      expect(response.body.errorMessage).toMatch(
        /set OBSERVATORY_FIREHOSE_ACCESS_KEY/,
      );
    } finally {
      await open.close();
    }
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await deliver('this is not json');

    expect(response.status).toBe(400);
    expect(response.body.requestId).toBe(REQUEST_ID);
    expect(response.body.errorMessage).toMatch(/not valid JSON/);
  });

  it('rejects a gzip body that is not JSON with 400', async () => {
    const response = await deliver('this is not json', { gzip: true });

    expect(response.status).toBe(400);
    expect(response.body.errorMessage).toMatch(/not valid JSON/);
  });

  it('rejects a body without records with 400 naming the field', async () => {
    const response = await deliver({ requestId: REQUEST_ID, timestamp: 1 });

    expect(response.status).toBe(400);
    expect(response.body.errorMessage).toMatch(/records/);
  });

  it('rejects more than 10,000 records with 413', async () => {
    const body = firehoseBody(
      REQUEST_ID,
      Array.from({ length: 10_001 }, () => Buffer.from('{}')),
    );

    const response = await deliver(body);

    expect(response.status).toBe(413);
    expect(response.body.errorMessage).toMatch(/10001 records/);
  });

  it.each([
    ['no separator', ''],
    ['a line feed', '\n'],
    ['blank lines', '\n\n\n'],
  ])('stores concatenated documents with %s', async (_name, separator) => {
    const data = concatenated([firstDocument(), secondDocument()], separator);

    const response = await deliver(firehoseBody(REQUEST_ID, [data]));

    expect(response.status).toBe(200);
    expect(summaryOf(await storedLogs())).toEqual(THREE_LOGS);
  });

  it('stores the documents before trailing garbage', async () => {
    const documents = concatenated([firstDocument(), secondDocument()]);
    const data = Buffer.concat([documents, Buffer.from('\n\u0000garbage')]);

    const response = await deliver(firehoseBody(REQUEST_ID, [data]));

    expect(response.status).toBe(200);
    expect(summaryOf(await storedLogs())).toEqual(THREE_LOGS);
  });

  it('stores a record sent twice once', async () => {
    const data = gzip(concatenated([firstDocument(), secondDocument()]));
    const body = firehoseBody(REQUEST_ID, [data]);

    await deliver(body);
    const again = await deliver(body);

    expect(again.status).toBe(200);
    expect(await storedLogs()).toHaveLength(3);
  });

  it('answers 503 when storing fails and stores on the retry', async () => {
    const body = firehoseBody(REQUEST_ID, [json(firstDocument())]);
    const logs = server.stores.logs;
    logs.write = async () => {
      throw new StoreError('the log store is unavailable');
    };

    const failed = await deliver(body);
    delete (logs as { write?: unknown }).write;
    const retried = await deliver(body);

    expect(failed.status).toBe(503);
    expect(failed.body.requestId).toBe(REQUEST_ID);
    expect(failed.body.errorMessage).toMatch(/storing the log records failed/);
    expect(retried.status).toBe(200);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual(['e1', 'e2']);
  });

  it('stores the other records when one is not base64', async () => {
    const body = firehoseBody(REQUEST_ID, [json(firstDocument())]);
    body.records.push({ data: '!!not base64!!' });

    const response = await deliver(body);

    expect(response.status).toBe(200);
    expect(await storedLogs()).toHaveLength(2);
  });

  it('reads protobuf as the signal of the common attributes', async () => {
    const data = protobufOf('logs', otlpRequests().logs);
    const attributes = { commonAttributes: { format: 'otlp-logs' } };

    const response = await deliver(firehoseBody(REQUEST_ID, [data]), {
      headers: {
        'x-amz-firehose-common-attributes': JSON.stringify(attributes),
      },
    });

    expect(response.status).toBe(200);
    expect((await storedLogs()).map((log) => log.message)).toEqual([
      'order placed',
    ]);
  });

  it('rejects an unknown format attribute with 400', async () => {
    const attributes = { commonAttributes: { format: 'otlp-profiles' } };

    const response = await deliver(firehoseBody(REQUEST_ID, []), {
      headers: {
        'x-amz-firehose-common-attributes': JSON.stringify(attributes),
      },
    });

    expect(response.status).toBe(400);
    expect(response.body.errorMessage).toMatch(/format "otlp-profiles"/);
  });
});
