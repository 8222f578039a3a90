import { randomUUID } from 'node:crypto';
import { MAX_FIREHOSE_RECORDS } from './firehose.js';
import { COMMON_ATTRIBUTES_HEADER, signalOfPartitionKey } from './format.js';

/** One record to replay: its data as base64, its time and declared format. */
export interface ReplayRecord {
  data: string;
  /** When the record first reached its stream, in epoch milliseconds. */
  receivedMs: number;
  /** `otlp-traces`, `otlp-metrics` or `otlp-logs`, when declared. */
  format?: string;
}

/** A Firehose delivery request to send, with its common attributes. */
export interface ReplayRequest {
  body: { requestId: string; timestamp: number; records: { data: string }[] };
  format?: string;
}

/**
 * JSON bytes of records per request, below the local server's 4 MiB body
 * limit with room for the request's own fields.
 */
const MAX_REQUEST_DATA_BYTES = 3 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatOfSignal(signal: unknown): string | undefined {
  return typeof signal === 'string' ? `otlp-${signal}` : undefined;
}

function kinesisRecords(event: Json): ReplayRecord[] {
  return (event.Records as unknown[]).map((entry, index) => {
    const kinesis = isObject(entry) ? entry.kinesis : undefined;
    if (!isObject(kinesis) || typeof kinesis.data !== 'string') {
      throw new Error(`Records[${index}].kinesis.data is missing`);
    }
    const key =
      typeof kinesis.partitionKey === 'string' ? kinesis.partitionKey : '';
    const seconds = Number(kinesis.approximateArrivalTimestamp);
    return {
      data: kinesis.data,
      receivedMs: Number.isFinite(seconds)
        ? Math.round(seconds * 1000)
        : Date.now(),
      format: formatOfSignal(signalOfPartitionKey(key)),
    };
  });
}

function firehoseRecords(body: Json): ReplayRecord[] {
  const timestamp =
    typeof body.timestamp === 'number' ? body.timestamp : Date.now();
  return (body.records as unknown[]).map((entry, index) => {
    if (!isObject(entry) || typeof entry.data !== 'string') {
      throw new Error(`records[${index}].data is missing`);
    }
    return { data: entry.data, receivedMs: timestamp };
  });
}

function deadLetterRecord(letter: unknown, where: string): ReplayRecord {
  if (!isObject(letter) || typeof letter.data !== 'string') {
    throw new Error(
      `${where} is a dead letter without data (its record was too large ` +
        'to include); read the record from the stream by its sequence number',
    );
  }
  const receivedMs =
    typeof letter.received_ms === 'number' ? letter.received_ms : Date.now();
  return {
    data: letter.data,
    receivedMs,
    format: formatOfSignal(letter.signal),
  };
}

/** Reads the dead letters in the bodies of SQS ReceiveMessage output. */
function sqsMessageRecords(output: Json): ReplayRecord[] {
  return (output.Messages as unknown[]).map((message, index) => {
    const body = isObject(message) ? message.Body : undefined;
    if (typeof body !== 'string')
      throw new Error(`Messages[${index}].Body is missing`);
    return deadLetterRecord(JSON.parse(body), `Messages[${index}].Body`);
  });
}

/**
 * Reads the records of a saved file: a Kinesis event (`Records[].kinesis`),
 * a Firehose delivery request body (`records[].data`), a dead letter of
 * the stream functions or an array of them, or the output of `aws sqs
 * receive-message` on the dead-letter queue (`Messages[].Body`). Raises an
 * Error naming the expected shapes for anything else.
 */
export function replayRecordsOf(value: unknown): ReplayRecord[] {
  if (Array.isArray(value)) {
    return value.map((letter, index) => deadLetterRecord(letter, `[${index}]`));
  }
  if (isObject(value) && Array.isArray(value.Records))
    return kinesisRecords(value);
  if (isObject(value) && Array.isArray(value.records))
    return firehoseRecords(value);
  if (isObject(value) && Array.isArray(value.Messages))
    return sqsMessageRecords(value);
  if (isObject(value) && typeof value.record_id === 'string') {
    return [deadLetterRecord(value, 'the file')];
  }
  throw new Error(
    'the file is not a Kinesis event (Records[].kinesis.data), a Firehose ' +
      'request body (records[].data), a dead letter or SQS ReceiveMessage ' +
      'output (Messages[].Body)',
  );
}

/**
 * Groups records into Firehose delivery requests. Records share a request
 * only when they share their time and format, because a request carries
 * one timestamp (the time of items without their own, which keeps a
 * replay idempotent) and one format attribute. Each request stays within
 * Firehose's 10,000 records and the local server's body limit.
 */
export function replayRequestsOf(records: ReplayRecord[]): ReplayRequest[] {
  const groups = new Map<string, ReplayRecord[]>();
  for (const record of records) {
    const key = `${record.receivedMs}/${record.format ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  }
  const requests: ReplayRequest[] = [];
  for (const group of groups.values()) {
    const first = group[0] as ReplayRecord;
    let current: ReplayRequest | undefined;
    let bytes = 0;
    for (const record of group) {
      const size = record.data.length + 16;
      const full =
        !current ||
        current.body.records.length >= MAX_FIREHOSE_RECORDS ||
        bytes + size > MAX_REQUEST_DATA_BYTES;
      if (full) {
        current = {
          body: {
            requestId: randomUUID(),
            timestamp: first.receivedMs,
            records: [],
          },
          format: first.format,
        };
        requests.push(current);
        bytes = 0;
      }
      current?.body.records.push({ data: record.data });
      bytes += size;
    }
  }
  return requests;
}

/** The server's response to one replayed request. */
export interface ReplayResponse {
  requestId: string;
  records: number;
  status: number;
  errorMessage?: string;
}

function headersOf(request: ReplayRequest, accessKey: string) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amz-firehose-request-id': request.body.requestId,
    'x-amz-firehose-access-key': accessKey,
  };
  if (request.format) {
    headers[COMMON_ATTRIBUTES_HEADER] = JSON.stringify({
      commonAttributes: { format: request.format },
    });
  }
  return headers;
}

/** Reads `errorMessage` from a Firehose error body, else the whole text. */
function errorMessageOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body) && typeof body.errorMessage === 'string') {
      return body.errorMessage;
    }
  } catch {
    // Not JSON: the text itself is the best message there is.
  }
  return text;
}

/**
 * POSTs each request to the Firehose route of the server at `baseUrl`,
 * one after the other, and returns each response. A failed request is
 * reported and the next one still sent. Sending a request again stores
 * nothing twice.
 */
export async function sendReplay(
  requests: ReplayRequest[],
  baseUrl: string,
  accessKey: string,
): Promise<ReplayResponse[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/observatory/firehose`;
  const responses: ReplayResponse[] = [];
  for (const request of requests) {
    const response = await fetch(url, {
      method: 'POST',
      headers: headersOf(request, accessKey),
      body: JSON.stringify(request.body),
    });
    const text = await response.text();
    responses.push({
      requestId: request.body.requestId,
      records: request.body.records.length,
      status: response.status,
      ...(response.status === 200
        ? {}
        : { errorMessage: errorMessageOf(text) }),
    });
  }
  return responses;
}
