import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  ObservatoryError,
  PayloadTooLargeError,
  ValidationError,
} from '../errors.js';
import { checkJsonDepth } from '../http/json.js';
import { parseInput } from '../http/request.js';
import type { OtlpSignal } from '../otlp/protobuf.js';
import type { RecordOutcome, StreamRecord } from './ingest.js';

/** The Firehose HTTP endpoint route. */
export const FIREHOSE_ROUTE = 'POST /api/observatory/firehose';

/** Firehose sends at most this many records in one request. */
export const MAX_FIREHOSE_RECORDS = 10_000;

/** Raised when the access key is missing, wrong or not configured. */
export class FirehoseAccessError extends ObservatoryError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** The body of a Firehose HTTP endpoint delivery request. */
const firehoseRequestSchema = z.object({
  requestId: z.string().min(1).max(256),
  timestamp: z.number().int().nonnegative(),
  records: z.array(z.object({ data: z.string() })),
});

export type FirehoseRequest = z.output<typeof firehoseRequestSchema>;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks the `X-Amz-Firehose-Access-Key` header against the configured key
 * in constant time: both are hashed first, so neither their contents nor
 * their lengths show in the time taken. Raises a 401 when the key is
 * missing or wrong, and when no key is configured at all.
 */
export function checkAccessKey(
  presented: string | undefined,
  configured: string | undefined,
): void {
  if (!configured) {
    throw new FirehoseAccessError(
      'the Firehose route is disabled because no access key is ' +
        'configured; set OBSERVATORY_FIREHOSE_ACCESS_KEY to the access key ' +
        'of the delivery stream',
    );
  }
  const matches = timingSafeEqual(digest(presented ?? ''), digest(configured));
  if (presented === undefined || !matches) {
    throw new FirehoseAccessError(
      'missing or wrong X-Amz-Firehose-Access-Key; set it to the value of ' +
        'OBSERVATORY_FIREHOSE_ACCESS_KEY',
    );
  }
}

/**
 * Parses a delivery request body: a 400 naming the field when it is not
 * JSON of the request's shape, a 413 above {@link MAX_FIREHOSE_RECORDS}
 * records.
 */
export function parseFirehoseRequest(body: Buffer): FirehoseRequest {
  const text = body.toString('utf8');
  checkJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`request body is not valid JSON: ${reason}`, [
      { path: 'body', message: `invalid JSON: ${reason}` },
    ]);
  }
  const request = parseInput(firehoseRequestSchema, value, 'body');
  if (request.records.length > MAX_FIREHOSE_RECORDS) {
    throw new PayloadTooLargeError(
      `request has ${request.records.length} records, above the ` +
        `${MAX_FIREHOSE_RECORDS} that Firehose sends at most`,
    );
  }
  return request;
}

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Turns the request's records into stream records. Each item without a
 * time of its own gets the request's timestamp. NOTE: Firehose documents
 * that a retried request keeps its request id, but not that it keeps its
 * timestamp. If it does not, a retry stores such items again. Items that
 * carry their time, and CloudWatch Logs events, are not affected. A
 * record whose data is not base64 cannot be decoded: it comes back as an
 * outcome with that problem.
 */
export function firehoseRecords(
  request: FirehoseRequest,
  signal: OtlpSignal | undefined,
): { records: StreamRecord[]; invalid: RecordOutcome[] } {
  const records: StreamRecord[] = [];
  const invalid: RecordOutcome[] = [];
  for (const [index, { data }] of request.records.entries()) {
    const id = `${request.requestId}/records[${index}]`;
    const receivedMs = request.timestamp;
    if (BASE64.test(data)) {
      records.push({
        id,
        data: Buffer.from(data, 'base64'),
        receivedMs,
        signal,
      });
      continue;
    }
    invalid.push({
      record: { id, data: Buffer.from(data, 'utf8'), receivedMs },
      stored: 0,
      controlMessages: 0,
      problems: [`records[${index}].data is not valid base64`],
    });
  }
  return { records, invalid };
}

/** Builds the body of a Firehose response, as the delivery contract defines it. */
export function firehoseResponseBody(
  requestId: string,
  timestampMs: number,
  errorMessage?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = { requestId, timestamp: timestampMs };
  if (errorMessage !== undefined) body.errorMessage = errorMessage;
  return body;
}
