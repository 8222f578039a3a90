import type { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config.js';
import type { RecordOutcome } from './ingest.js';

/**
 * A record that can never be stored in full, as the dead-letter queue
 * receives it: where it came from, why, and its data so that it can be
 * fixed and replayed (see `npm run replay`).
 */
export interface DeadLetter {
  /** `kinesis` or `firehose`. */
  source: string;
  /** The Kinesis sequence number, or the Firehose request and index. */
  record_id: string;
  /** More about the source, such as the partition key and stream ARN. */
  origin: Record<string, string>;
  /**
   * When the record reached the stream, in epoch milliseconds: the time of
   * its items that carry none, which a replay keeps.
   */
  received_ms: number;
  /** The OTLP signal the sender declared for the record, if any. */
  signal?: string;
  /** The first reasons, each naming the part of the record it concerns. */
  reasons: string[];
  reason_count: number;
  /** Items of the record that were stored. */
  stored_items: number;
  data_bytes: number;
  /** The record's data, base64; left out when it would not fit a message. */
  data?: string;
}

/** Where dead letters go: an SQS queue, or only the log. */
export interface DeadLetterSink {
  /** Sends one letter; raises when it could not be sent. */
  send(letter: DeadLetter): Promise<void>;
}

/** Reasons quoted in one letter; the count gives the rest. */
const MAX_REASONS = 20;

/**
 * Largest SQS message body the letters are kept under, in bytes: the
 * SQS default maximum message size of 256 KiB.
 */
export const MAX_DEAD_LETTER_BYTES = 256 * 1024;

/** Builds the letter of a record with problems. */
export function deadLetterOf(
  outcome: RecordOutcome,
  source: string,
  origin: Record<string, string>,
): DeadLetter {
  const { record } = outcome;
  const letter: DeadLetter = {
    source,
    record_id: record.id,
    origin,
    received_ms: record.receivedMs,
    ...(record.signal ? { signal: record.signal } : {}),
    reasons: outcome.problems.slice(0, MAX_REASONS),
    reason_count: outcome.problems.length,
    stored_items: outcome.stored,
    data_bytes: record.data.length,
    data: record.data.toString('base64'),
  };
  if (Buffer.byteLength(JSON.stringify(letter)) <= MAX_DEAD_LETTER_BYTES) {
    return letter;
  }
  // NOTE: the data of a record this large is not kept anywhere by us; on
  // Kinesis it can still be read by its sequence number within the
  // stream's retention period.
  const { data: _data, ...withoutData } = letter;
  return withoutData;
}

/** Sends letters to an SQS queue, one SendMessage call each. */
export function sqsDeadLetterSink(
  client: SQSClient,
  queueUrl: string,
): DeadLetterSink {
  return {
    send: async (letter) => {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(letter),
        }),
      );
    },
  };
}

/**
 * A sink for running without a queue (locally): the letter is only
 * logged, by the caller, and counted there.
 */
export const logOnlyDeadLetterSink: DeadLetterSink = {
  send: async () => undefined,
};

/** Letters sent at one time. */
const CONCURRENT_SENDS = 10;

/**
 * Logs every record with problems and sends its letter to `sink`.
 * Returns the outcomes whose letter could not be sent: their records must
 * be delivered again rather than lost.
 */
export async function sendDeadLetters(
  outcomes: readonly RecordOutcome[],
  sink: DeadLetterSink,
  logger: Logger,
  letterOf: (outcome: RecordOutcome) => DeadLetter,
): Promise<RecordOutcome[]> {
  const failed: RecordOutcome[] = [];
  for (let start = 0; start < outcomes.length; start += CONCURRENT_SENDS) {
    const chunk = outcomes.slice(start, start + CONCURRENT_SENDS);
    const results = await Promise.allSettled(
      chunk.map((outcome) => sendOne(outcome, sink, logger, letterOf)),
    );
    for (const [index, result] of results.entries()) {
      const outcome = chunk[index];
      if (result.status === 'rejected' && outcome) failed.push(outcome);
    }
  }
  return failed;
}

async function sendOne(
  outcome: RecordOutcome,
  sink: DeadLetterSink,
  logger: Logger,
  letterOf: (outcome: RecordOutcome) => DeadLetter,
): Promise<void> {
  const letter = letterOf(outcome);
  logger.warn('stream record not stored in full', {
    record_id: letter.record_id,
    origin: letter.origin,
    reason_count: letter.reason_count,
    first_reasons: letter.reasons.slice(0, 3),
    stored_items: letter.stored_items,
  });
  try {
    await sink.send(letter);
  } catch (error) {
    logger.error('sending a dead letter failed', {
      error,
      record_id: letter.record_id,
    });
    throw error;
  }
}

/**
 * The sink that `config` sets up: the SQS queue at
 * OBSERVATORY_STREAM_DLQ_URL, or the log alone when it is unset.
 */
export function deadLetterSinkOf(config: Config): DeadLetterSink {
  const queueUrl = config.streams.deadLetterQueueUrl;
  if (!queueUrl) return logOnlyDeadLetterSink;
  const client = new SQSClient({ region: config.aws.region });
  return sqsDeadLetterSink(client, queueUrl);
}
