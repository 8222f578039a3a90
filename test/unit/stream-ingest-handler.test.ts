import type { Context, KinesisStreamEvent } from 'aws-lambda';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import {
  createStreamIngestHandler,
  handler as lambdaHandler,
  STREAM_INGEST_STORES,
} from '#functions/stream-ingest/handler.js';
import { localContext } from '#infra/local/event.js';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { StoreError } from '#shared/errors.js';
import { createLogger } from '#shared/logger.js';
import type { LogRecord } from '#shared/model/log.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';
import {
  type DeadLetter,
  logOnlyDeadLetterSink,
  sqsDeadLetterSink,
} from '#shared/streams/dead-letter.js';
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
  gzip,
  kinesisEvent,
  STREAM_ARN,
  sequenceNumber,
} from '#test/fixtures/streams/records.js';
import { type SqsFake, startSqsFake } from '#test/fixtures/streams/sqs-fake.js';
import { TEST_CONFIG } from '#test/support/server.js';

const HOUR_MS = 3_600_000;

let sqs: SqsFake;
let deps: Deps;
let context: Context;

beforeAll(async () => {
  sqs = await startSqsFake();
});

afterAll(async () => {
  await sqs.close();
});

beforeEach(async () => {
  const logger = createLogger('stream-ingest-test');
  logger.setLogLevel('SILENT');
  deps = {
    config: TEST_CONFIG,
    stores: await openDuckDbStores(':memory:'),
    clock: fixedClock(NOW_MS),
    logger,
  };
  sqs.sent.length = 0;
  context = localContext('observatory-stream-ingest', 'request-1');
});

afterEach(async () => {
  await deps.stores.close();
});

function handlerOf(target: Deps = deps) {
  const deadLetters = sqsDeadLetterSink(sqs.client, sqs.queueUrl);
  return createStreamIngestHandler(target, { deadLetters });
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function logEnvelope(id: string, message = `log ${id}`) {
  return { type: 'log', id, service: 'checkout', message, timestamp: T0_MS };
}

async function storedLogs(stores: Stores = deps.stores): Promise<LogRecord[]> {
  const page = await stores.logs.search({
    start_ms: T0_MS - HOUR_MS,
    end_ms: NOW_MS + HOUR_MS,
    limit: 1000,
  });
  return page.items.sort((a, b) => a.log_id.localeCompare(b.log_id));
}

async function storedLogCount(): Promise<number> {
  const counts = await deps.stores.logs.levelCounts({
    start_ms: T0_MS - HOUR_MS,
    end_ms: NOW_MS + HOUR_MS,
    interval_ms: 24 * HOUR_MS,
  });
  return counts.reduce((sum, count) => sum + count.count, 0);
}

function letters(): DeadLetter[] {
  return sqs.sent.map((message) => JSON.parse(message.body));
}

/** Wraps the stores so that the log store's next `count` writes fail. */
function failingLogWrites(stores: Stores, count: number): Stores {
  let failures = count;
  const logs = Object.create(stores.logs) as Stores['logs'];
  logs.write = async (records) => {
    if (failures > 0) {
      failures -= 1;
      throw new StoreError('the log store is unavailable');
    }
    return stores.logs.write(records);
  };
  return { ...stores, logs };
}

describe('stream-ingest handler', () => {
  it('skips a control message as a success', async () => {
    const event = kinesisEvent([gzip(json(controlMessage()))]);

    const response = await handlerOf()(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await storedLogs()).toEqual([]);
    expect(sqs.sent).toEqual([]);
  });

  it('stores only the data message after a control message', async () => {
    const data = gzip(concatenated([controlMessage(), firstDocument()]));

    const response = await handlerOf()(kinesisEvent([data]), context);

    expect(response.batchItemFailures).toEqual([]);
    const logs = await storedLogs();
    expect(logs.map((log) => log.log_id)).toEqual(['e1', 'e2']);
    expect(logs.map((log) => log.message)).toEqual([
      'first line',
      'payload }{ with braces',
    ]);
  });

  it('stores a redelivered record once', async () => {
    const data = gzip(concatenated([firstDocument(), secondDocument()]));
    const event = kinesisEvent([data]);

    await handlerOf()(event, context);
    const again = await handlerOf()(event, context);

    expect(again.batchItemFailures).toEqual([]);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual([
      'e1',
      'e2',
      'e3',
    ]);
  });

  it('stores an OTLP protobuf record named by its partition key', async () => {
    const data = protobufOf('logs', otlpRequests().logs);
    const event = kinesisEvent([data], 'otlp-logs:checkout');

    const response = await handlerOf()(event, context);

    expect(response.batchItemFailures).toEqual([]);
    expect((await storedLogs()).map((log) => log.message)).toEqual([
      'order placed',
    ]);
  });

  it('reports only records whose store write failed', async () => {
    const metric = {
      type: 'metric',
      metric_type: 'gauge',
      service: 'checkout',
      name: 'queue.depth',
      value: 3,
      timestamp: T0_MS,
    };
    const event = kinesisEvent([
      json(logEnvelope('a')),
      json(metric),
      json(logEnvelope('b')),
    ]);
    const failing = { ...deps, stores: failingLogWrites(deps.stores, 1) };

    const response = await handlerOf(failing)(event, context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(0) },
      { itemIdentifier: sequenceNumber(2) },
    ]);
    expect(await storedLogs()).toEqual([]);
    const statistics = await deps.stores.metrics.statistics({
      service: 'checkout',
      metric_name: 'queue.depth',
      start_ms: T0_MS - HOUR_MS,
      end_ms: NOW_MS + HOUR_MS,
    });
    expect(statistics?.count).toBe(1);
    expect(sqs.sent).toEqual([]);

    const retry = await handlerOf(failing)(
      { Records: [event.Records[0], event.Records[2]] } as KinesisStreamEvent,
      context,
    );

    expect(retry.batchItemFailures).toEqual([]);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual(['a', 'b']);
  });

  it('reports every record when the whole batch fails', async () => {
    const event = kinesisEvent([
      json(logEnvelope('a')),
      json(logEnvelope('b')),
    ]);
    const failing = { ...deps, stores: failingLogWrites(deps.stores, 1) };

    const response = await handlerOf(failing)(event, context);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      sequenceNumber(0),
      sequenceNumber(1),
    ]);
  });

  it('sends a record that never parses to the dead-letter queue', async () => {
    const garbage = Buffer.from('not telemetry at all');
    const event = kinesisEvent([json(logEnvelope('a')), garbage]);

    const response = await handlerOf()(event, context);

    expect(response.batchItemFailures).toEqual([]);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual(['a']);
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.queueUrl).toBe(sqs.queueUrl);
    const [letter] = letters();
    expect(letter?.source).toBe('kinesis');
    expect(letter?.record_id).toBe(sequenceNumber(1));
    expect(letter?.origin).toMatchObject({
      event_source_arn: STREAM_ARN,
      partition_key: 'observatory',
    });
    expect(letter?.reasons[0]).toMatch(/is not JSON, gzip or an OTLP/);
    expect(letter?.stored_items).toBe(0);
    expect(Buffer.from(letter?.data ?? '', 'base64')).toEqual(garbage);
  });

  it('sends the trailing garbage of a record and stores the rest', async () => {
    const documents = concatenated([firstDocument(), secondDocument()]);
    const data = Buffer.concat([documents, Buffer.from('}{oops')]);

    const response = await handlerOf()(kinesisEvent([data]), context);

    expect(response.batchItemFailures).toEqual([]);
    expect(await storedLogs()).toHaveLength(3);
    const [letter] = letters();
    expect(letter?.stored_items).toBe(3);
    expect(letter?.reasons[0]).toMatch(/trailing characters/);
  });

  it('sends a record whose items were rejected', async () => {
    const old = { ...logEnvelope('old'), timestamp: T0_MS - 30 * 24 * HOUR_MS };
    const event = kinesisEvent([json([logEnvelope('new'), old])]);

    const response = await handlerOf()(event, context);

    expect(response.batchItemFailures).toEqual([]);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual(['new']);
    const [letter] = letters();
    expect(letter?.reasons).toHaveLength(1);
    expect(letter?.reasons[0]).toMatch(
      /^document 1, item 1: timestamp .* is older than/,
    );
    expect(letter?.stored_items).toBe(1);
  });

  it('retries a record whose dead letter could not be sent', async () => {
    const event = kinesisEvent([
      Buffer.from('garbage'),
      json(logEnvelope('a')),
    ]);
    sqs.failNext(1);

    const response = await handlerOf()(event, context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(0) },
    ]);
    expect((await storedLogs()).map((log) => log.log_id)).toEqual(['a']);
  });

  it('logs a bad record without a queue', async () => {
    const warn = vi.spyOn(deps.logger, 'warn');
    const info = vi.spyOn(deps.logger, 'info');
    const local = createStreamIngestHandler(deps, {
      deadLetters: logOnlyDeadLetterSink,
    });

    const response = await local(
      kinesisEvent([Buffer.from('garbage'), json(logEnvelope('a'))]),
      context,
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      'stream record not stored in full',
      expect.objectContaining({ record_id: sequenceNumber(0) }),
    );
    expect(info).toHaveBeenCalledWith(
      'stream batch ingested',
      expect.objectContaining({
        records: 2,
        stored_items: 1,
        records_with_problems: 1,
      }),
    );
  });

  it('stores a batch of 10,000 records', async () => {
    const datas = Array.from({ length: 10_000 }, (_, index) =>
      json(logEnvelope(`log-${index}`)),
    );
    const started = performance.now();

    const response = await handlerOf()(kinesisEvent(datas), context);

    const elapsedMs = performance.now() - started;
    expect(response.batchItemFailures).toEqual([]);
    expect(await storedLogCount()).toBe(10_000);
    expect(sqs.sent).toEqual([]);
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('accepts an empty batch', async () => {
    const response = await handlerOf()({ Records: [] }, context);

    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('names the stores it opens', () => {
    expect(lambdaHandler.stores).toEqual(STREAM_INGEST_STORES);
  });
});
