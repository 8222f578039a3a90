import { parseJsonExact } from '../http/json.js';
import { quoteLongIntegers } from '../otlp/codec.js';
import {
  isSubscriptionMessage,
  readSubscriptionMessage,
} from './cloudwatch.js';
import { isEnvelope, isEnvelopeList, readEnvelopes } from './envelope.js';
import { DECLARE_SIGNAL_HINT } from './format.js';
import { gunzipMembers, isGzip } from './gzip.js';
import {
  type DecodeContext,
  type DecodedRecord,
  emptyDecodedRecord,
} from './items.js';
import { splitJsonDocuments } from './json-documents.js';
import {
  otlpSignalsOfJson,
  readOtlpProtobuf,
  readOtlpRequest,
} from './otlp-items.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads one JSON object of a record by what it contains: a CloudWatch
 * Logs subscription message (`messageType`), an OTLP export request
 * (`resourceSpans`, `resourceMetrics` or `resourceLogs`, re-read with
 * exact 64-bit integers), or Observatory envelopes (`type`, or
 * `records`). With a declared signal, an object of none of these kinds is
 * read as that signal's request, so `{}` is an empty one.
 */
function readObject(
  value: Json,
  text: string,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  if (isSubscriptionMessage(value)) {
    readSubscriptionMessage(value, label, into, context);
    return;
  }
  const signals = otlpSignalsOfJson(value);
  if (signals.length === 0 && context.signal && !isEnvelope(value)) {
    signals.push(context.signal);
  }
  if (signals.length > 0) {
    const body: unknown = JSON.parse(quoteLongIntegers(text));
    for (const signal of signals) {
      readOtlpRequest(signal, body, label, into, context);
    }
    return;
  }
  if (isEnvelope(value) || isEnvelopeList(value)) {
    readEnvelopes(value, label, into, context);
    return;
  }
  into.problems.push(
    `${label}: not a CloudWatch Logs subscription message, an OTLP ` +
      'export request or an Observatory envelope; send an object with ' +
      'type metric, log or span',
  );
}

/**
 * Parses JSON text. Integers past 2^53 (16 digits or more) come back as
 * bigint, so they keep every digit. Text without such a run of digits
 * takes JSON.parse's faster path.
 */
function parseJson(text: string): unknown {
  return /\d{16}/.test(text) ? parseJsonExact(text) : JSON.parse(text);
}

/** Parses and reads one document, returning false when it is not JSON. */
function readDocument(
  text: string,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): boolean {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    into.problems.push(`${label}: invalid JSON: ${reasonOf(error)}`);
    return false;
  }
  if (isObject(value)) readObject(value, text, label, into, context);
  else readEnvelopes(value, label, into, context);
  return true;
}

/**
 * Reads the JSON documents written back to back in `data`. Returns the
 * decoded record and how many documents were valid JSON.
 */
function readJsonData(data: Buffer, context: DecodeContext) {
  const into = emptyDecodedRecord();
  const split = splitJsonDocuments(data.toString('utf8'));
  let valid = 0;
  for (const [index, text] of split.documents.entries()) {
    if (readDocument(text, `document ${index + 1}`, into, context)) valid += 1;
  }
  into.problems.push(...split.problems);
  return { record: into, valid };
}

/** Tells whether data starts, after whitespace, like a JSON document. */
function looksLikeJson(data: Buffer): boolean {
  const text = data.subarray(0, 64).toString('latin1').trimStart();
  return text.startsWith('{') || text.startsWith('[');
}

/**
 * Decodes uncompressed data: JSON documents when the data starts like
 * JSON and at least one document in it parses, else an OTLP protobuf
 * export request. The protobuf check also runs on data that only looked
 * like JSON, because a protobuf request can start with the bytes of a
 * line feed and a `{`.
 */
function decodePlain(data: Buffer, context: DecodeContext): DecodedRecord {
  const json = looksLikeJson(data) ? readJsonData(data, context) : undefined;
  if (json && json.valid > 0) return json.record;

  const protobuf = emptyDecodedRecord();
  if (readOtlpProtobuf(data, protobuf, context)) return protobuf;
  if (json) return json.record;

  protobuf.problems.push(
    `the data (${data.length} bytes) is not JSON, gzip or an OTLP ` +
      `protobuf export request; if it is OTLP, ${DECLARE_SIGNAL_HINT}`,
  );
  return protobuf;
}

/**
 * Decodes the data of one stream record into spans, log records and
 * metric points, with the reasons for anything that can never be stored.
 * Bad data is returned as problems, not raised. The sniffing order:
 *
 * 1. Gzip (magic bytes 1f 8b): decompressed member by member, then read
 *    as below. CloudWatch Logs subscription data always arrives this way.
 * 2. JSON documents, one or more back to back: CloudWatch Logs
 *    subscription messages, OTLP/JSON export requests and Observatory
 *    envelopes, each recognized by its fields.
 * 3. OTLP protobuf export request of the declared signal, or of the one
 *    signal whose schema the bytes fit.
 *
 * Documents before trailing garbage are kept, and the garbage reported.
 */
export function decodeRecord(
  data: Buffer,
  context: DecodeContext,
): DecodedRecord {
  if (!isGzip(data)) {
    const record = decodePlain(data, context);
    record.decodedBytes = data.length;
    return record;
  }
  const gunzipped = gunzipMembers(data);
  const hasData = gunzipped.data.length > 0;
  const record = hasData
    ? decodePlain(gunzipped.data, context)
    : emptyDecodedRecord();
  record.problems.push(...gunzipped.problems);
  record.decodedBytes = gunzipped.data.length;
  return record;
}
