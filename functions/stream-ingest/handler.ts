import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { systemClock } from '#shared/clock.js';
import { loadConfig } from '#shared/config.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import type { StoreName } from '#shared/store/open.js';
import { openStores } from '#shared/store/open.js';
import {
  type DeadLetterSink,
  deadLetterOf,
  deadLetterSinkOf,
  sendDeadLetters,
} from '#shared/streams/dead-letter.js';
import {
  ingestStreamRecords,
  type RecordOutcome,
  summarizeOutcomes,
} from '#shared/streams/ingest.js';
import {
  kinesisOrigin,
  streamRecordOfKinesis,
} from '#shared/streams/kinesis.js';

type KinesisHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse>;

/** The stores this function writes: every signal, and topology for spans. */
export const STREAM_INGEST_STORES: readonly StoreName[] = [
  'metrics',
  'traces',
  'logs',
  'topology',
];

/** Marks a record that Lambda must deliver again. */
class RetryableRecordError extends Error {
  override readonly name = 'RetryableRecordError';
}

export interface StreamIngestOptions {
  /** The destination of records that can never be stored in full. */
  deadLetters: DeadLetterSink;
}

/**
 * Sends the dead letters of records with problems and no retry pending,
 * and marks for a retry those whose letter could not be sent, so none is
 * lost.
 */
async function handleProblems(
  deps: Deps,
  event: KinesisStreamEvent,
  outcomes: RecordOutcome[],
  sink: DeadLetterSink,
): Promise<void> {
  const kinesisOf = new Map(
    outcomes.map((outcome, index) => [outcome, event.Records[index]]),
  );
  const letterOf = (outcome: RecordOutcome) => {
    const record = kinesisOf.get(outcome) as KinesisStreamRecord;
    return deadLetterOf(outcome, 'kinesis', kinesisOrigin(record));
  };
  const withProblems = outcomes.filter(
    (outcome) => !outcome.retryReason && outcome.problems.length > 0,
  );
  const unsent = await sendDeadLetters(
    withProblems,
    sink,
    deps.logger,
    letterOf,
  );
  for (const outcome of unsent) {
    outcome.retryReason = 'sending its dead letter failed';
  }
}

/**
 * Builds the Kinesis event source handler. It stores the spans, logs and
 * metric points of a batch of records (see shared/streams/decode.ts for
 * the formats). Records that failed for a reason a retry can fix, such as
 * an unavailable store, are returned in `batchItemFailures` by sequence
 * number, and Lambda delivers them again. The stores deduplicate, so a
 * retry stores nothing twice. A record that can never be stored in full
 * is logged and sent to the dead-letter sink with its reasons, and
 * counts as processed, so it is not retried forever.
 */
export function createStreamIngestHandler(
  deps: Deps,
  options: StreamIngestOptions,
) {
  const ingestBatch: KinesisHandler = async (event, context) => {
    const records = event.Records.map(streamRecordOfKinesis);
    const outcomes = await ingestStreamRecords(
      deps,
      records,
      deps.config.streams.logGroupServices,
    );
    await handleProblems(deps, event, outcomes, options.deadLetters);
    deps.logger.info('stream batch ingested', summarizeOutcomes(outcomes));

    const outcomeOf = new Map(
      event.Records.map((record, index) => [record, outcomes[index]]),
    );
    const checkRecord = async (record: KinesisStreamRecord) => {
      const reason = outcomeOf.get(record)?.retryReason;
      if (reason) throw new RetryableRecordError(reason);
    };
    return processPartialResponse(
      event,
      checkRecord,
      new BatchProcessor(EventType.KinesisDataStreams),
      { context, throwOnFullBatchFailure: false },
    );
  };

  return middy(ingestBatch).use(
    injectLambdaContext(deps.logger, { logEvent: false }),
  );
}

async function buildHandler(): Promise<KinesisHandler> {
  const config = loadConfig();
  const logger = createLogger('stream-ingest');
  const stores = await openStores(config, STREAM_INGEST_STORES);
  if (!config.streams.deadLetterQueueUrl) {
    logger.warn(
      'OBSERVATORY_STREAM_DLQ_URL is not set: records that cannot be ' +
        'stored are only logged',
    );
  }
  const deps: Deps = { config, stores, clock: systemClock, logger };
  return createStreamIngestHandler(deps, {
    deadLetters: deadLetterSinkOf(config),
  });
}

let ready: Promise<KinesisHandler> | undefined;

/**
 * The Lambda entry point. Configuration, stores and the SQS client are
 * set up on the first invocation of a cold start and reused after.
 */
export const handler = Object.assign(
  async (event: KinesisStreamEvent, context: Context) => {
    ready ??= buildHandler();
    return (await ready)(event, context);
  },
  { stores: STREAM_INGEST_STORES },
);
