import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { LogRecord } from '#shared/model/log.js';
import {
  replayRecordsOf,
  replayRequestsOf,
  sendReplay,
} from '#shared/streams/replay.js';
import {
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
  kinesisEvent,
  kinesisRecord,
} from '#test/fixtures/streams/records.js';
import {
  startTestServer,
  TEST_CONFIG,
  type TestServer,
} from '#test/support/server.js';

const run = promisify(execFile);
const ACCESS_KEY = 'replay-test-access-key';
const HOUR_MS = 3_600_000;

let server: TestServer;
let folder: string;

beforeEach(async () => {
  server = await startTestServer({
    clock: fixedClock(NOW_MS),
    config: {
      streams: { ...TEST_CONFIG.streams, firehoseAccessKey: ACCESS_KEY },
    },
  });
  folder = await mkdtemp(join(tmpdir(), 'observatory-replay-'));
});

afterEach(async () => {
  await server.close();
  await rm(folder, { recursive: true, force: true });
});

async function storedLogs(): Promise<LogRecord[]> {
  const page = await server.stores.logs.search({
    start_ms: T0_MS - HOUR_MS,
    end_ms: NOW_MS + HOUR_MS,
    limit: 1000,
  });
  return page.items.sort((a, b) => a.log_id.localeCompare(b.log_id));
}

/** Builds a Kinesis event of CloudWatch Logs data and OTLP protobuf. */
function savedKinesisEvent() {
  const event = kinesisEvent([
    gzip(concatenated([firstDocument(), secondDocument()])),
  ]);
  event.Records.push(
    kinesisRecord(protobufOf('logs', otlpRequests().logs), 1, 'otlp-logs'),
  );
  return event;
}

async function replayFile(value: unknown, ...args: string[]) {
  const file = join(folder, 'saved.json');
  await writeFile(file, JSON.stringify(value));
  return run(
    process.execPath,
    ['--import', 'tsx', 'scripts/replay.ts', file, ...args],
    {
      env: { ...process.env, OBSERVATORY_FIREHOSE_ACCESS_KEY: '' },
    },
  );
}

describe('replayRecordsOf', () => {
  it('reads a Kinesis event with its times and formats', () => {
    const records = replayRecordsOf(savedKinesisEvent());

    expect(records.map((record) => record.format)).toEqual([
      undefined,
      'otlp-logs',
    ]);
    expect(records.map((record) => record.receivedMs)).toEqual([
      NOW_MS,
      NOW_MS,
    ]);
  });

  it('reads a Firehose request body with its timestamp', () => {
    const body = firehoseBody('r', [Buffer.from('a'), Buffer.from('b')]);

    const records = replayRecordsOf(body);

    expect(records).toEqual([
      { data: 'YQ==', receivedMs: NOW_MS },
      { data: 'Yg==', receivedMs: NOW_MS },
    ]);
  });

  it('reads dead letters alone, in a list and in SQS output', () => {
    const letter = {
      source: 'kinesis',
      record_id: '1',
      data: 'YQ==',
      received_ms: T0_MS,
      signal: 'traces',
    };
    const expected = { data: 'YQ==', receivedMs: T0_MS, format: 'otlp-traces' };

    expect(replayRecordsOf(letter)).toEqual([expected]);
    expect(replayRecordsOf([letter, letter])).toEqual([expected, expected]);
    expect(
      replayRecordsOf({ Messages: [{ Body: JSON.stringify(letter) }] }),
    ).toEqual([expected]);
  });

  it('rejects a dead letter without data', () => {
    expect(() => replayRecordsOf({ record_id: '1' })).toThrow(/without data/);
  });

  it('rejects a file of another shape', () => {
    expect(() => replayRecordsOf({ hello: 'world' })).toThrow(
      /not a Kinesis event/,
    );
  });
});

describe('replayRequestsOf', () => {
  it('groups records by time and format', () => {
    const requests = replayRequestsOf([
      { data: 'YQ==', receivedMs: 1 },
      { data: 'Yg==', receivedMs: 2 },
      { data: 'Yw==', receivedMs: 1 },
      { data: 'ZA==', receivedMs: 1, format: 'otlp-logs' },
    ]);

    const shapes = requests.map((request) => ({
      timestamp: request.body.timestamp,
      format: request.format,
      data: request.body.records.map((record) => record.data),
    }));
    expect(shapes).toEqual([
      { timestamp: 1, format: undefined, data: ['YQ==', 'Yw=='] },
      { timestamp: 2, format: undefined, data: ['Yg=='] },
      { timestamp: 1, format: 'otlp-logs', data: ['ZA=='] },
    ]);
  });

  it('splits a group at 10,000 records', () => {
    const records = Array.from({ length: 10_001 }, () => ({
      data: 'YQ==',
      receivedMs: 1,
    }));

    const requests = replayRequestsOf(records);

    expect(requests.map((r) => r.body.records.length)).toEqual([10_000, 1]);
  });

  it('splits a group before 3 MiB of data', () => {
    const data = 'A'.repeat(1024 * 1024);
    const records = Array.from({ length: 4 }, () => ({ data, receivedMs: 1 }));

    const requests = replayRequestsOf(records);

    expect(requests.map((r) => r.body.records.length)).toEqual([2, 2]);
  });
});

describe('replay against a local server', () => {
  it('stores the records of a saved Kinesis event', async () => {
    const requests = replayRequestsOf(replayRecordsOf(savedKinesisEvent()));

    const responses = await sendReplay(requests, server.url, ACCESS_KEY);

    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect((await storedLogs()).map((log) => log.message)).toEqual([
      'first line',
      'payload }{ with braces',
      'third line',
      'order placed',
    ]);
  });

  it('reports the error of a rejected request', async () => {
    const requests = replayRequestsOf(replayRecordsOf(savedKinesisEvent()));

    const responses = await sendReplay(requests, server.url, 'wrong');

    expect(responses[0]?.status).toBe(401);
    expect(responses[0]?.errorMessage).toMatch(/X-Amz-Firehose-Access-Key/);
  });

  it('runs as npm run replay and stores nothing twice', async () => {
    const event = savedKinesisEvent();
    const args = ['--url', server.url, '--firehose-key', ACCESS_KEY];

    const first = await replayFile(event, ...args);
    const second = await replayFile(event, ...args);

    expect(first.stdout).toMatch(/Replayed 2 records in 2 requests/);
    expect(second.stdout).toMatch(/2 succeeded, 0 failed/);
    expect(await storedLogs()).toHaveLength(4);
  });

  it('exits with 1 and the reason when a request fails', async () => {
    const args = ['--url', server.url, '--key', 'wrong'];

    const result = replayFile(savedKinesisEvent(), ...args);

    await expect(result).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/failed with 401: missing or wrong/),
    });
  });

  it('exits with 1 naming the missing access key', async () => {
    const result = replayFile(savedKinesisEvent(), '--url', server.url);

    await expect(result).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/missing Firehose access key/),
    });
  });
});
