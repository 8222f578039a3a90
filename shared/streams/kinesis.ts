import type { KinesisStreamRecord } from 'aws-lambda';
import { signalOfPartitionKey } from './format.js';
import type { StreamRecord } from './ingest.js';

/**
 * Reads a record of a Kinesis event. Its arrival time (seconds with a
 * fraction, set once by Kinesis) is the time of items that carry none,
 * so every delivery of the record yields the same items.
 */
export function streamRecordOfKinesis(
  record: KinesisStreamRecord,
): StreamRecord {
  const { kinesis } = record;
  return {
    id: kinesis.sequenceNumber,
    data: Buffer.from(kinesis.data, 'base64'),
    receivedMs: Math.round(kinesis.approximateArrivalTimestamp * 1000),
    signal: signalOfPartitionKey(kinesis.partitionKey),
  };
}

/** Returns the source of a Kinesis record, for its dead letter. */
export function kinesisOrigin(
  record: KinesisStreamRecord,
): Record<string, string> {
  return {
    event_source_arn: record.eventSourceARN,
    event_id: record.eventID,
    partition_key: record.kinesis.partitionKey,
    sequence_number: record.kinesis.sequenceNumber,
  };
}
