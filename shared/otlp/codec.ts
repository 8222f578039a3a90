import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { checkJsonDepth, wellFormedJson } from '../http/json.js';
import type { MappedBatch } from './batch.js';
import { FieldError } from './fields.js';
import { decodeProtobufRequest, type OtlpSignal } from './protobuf.js';

/** The two OTLP/HTTP encodings. */
export type OtlpFormat = 'protobuf' | 'json';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';
export const JSON_CONTENT_TYPE = 'application/json';

/** Picks the encoding from the request's media type, or raises a 415. */
export function formatOf(contentType: string): OtlpFormat {
  if (contentType === PROTOBUF_CONTENT_TYPE) return 'protobuf';
  if (contentType === JSON_CONTENT_TYPE) return 'json';
  const received = contentType === '' ? 'missing' : contentType;
  throw new UnsupportedMediaTypeError(
    `content-type ${received} is not supported for OTLP; send ` +
      `${PROTOBUF_CONTENT_TYPE} or ${JSON_CONTENT_TYPE}`,
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A JSON string literal, or an integer literal of 16 or more digits (every
 * integer of up to 15 digits is exact in a double). The lookbehind keeps
 * the digits of a fraction or an exponent out of the match.
 */
const STRING_OR_LONG_INTEGER =
  /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/**
 * Quotes the long integer literals of a JSON text, so JSON.parse keeps
 * their digits instead of rounding them to a double. String literals are
 * matched first and left as they are, so digits inside them are never
 * touched. The field readers accept 64-bit integers and doubles as
 * decimal strings, as OTLP/JSON allows.
 */
export function quoteLongIntegers(text: string): string {
  return text.replace(STRING_OR_LONG_INTEGER, (match) =>
    match.startsWith('"') ? match : `"${match}"`,
  );
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) {
    throw new ValidationError(
      'request body is missing; send an OTLP JSON document such as {}',
      [{ path: 'body', message: 'missing' }],
    );
  }
  const text = body.toString('utf8');
  checkJsonDepth(text);
  try {
    const parsed: unknown = JSON.parse(text);
    // Quoting runs only on valid JSON: there every string literal is
    // closed, so the pattern scans the text once.
    if (!/\d{16}/.test(text)) return wellFormedJson(parsed, text);
    return wellFormedJson(JSON.parse(quoteLongIntegers(text)), text);
  } catch (error) {
    const reason = reasonOf(error);
    throw new ValidationError(
      `request body is not valid JSON: ${reason}`,
      [{ path: 'body', message: `invalid JSON: ${reason}` }],
      error,
    );
  }
}

function parseProtobuf(signal: OtlpSignal, body: Buffer): unknown {
  try {
    return decodeProtobufRequest(signal, body);
  } catch (error) {
    const reason = reasonOf(error);
    throw new ValidationError(
      `request body is not a valid OTLP ${signal} protobuf message: ` +
        `${reason}; check that it was sent to the matching /v1 path`,
      [{ path: 'body', message: `invalid protobuf: ${reason}` }],
      error,
    );
  }
}

/**
 * Decodes an OTLP request body into its JSON shape. An empty protobuf body
 * is a valid empty request; an empty JSON body is not JSON.
 */
export function decodeRequest(
  signal: OtlpSignal,
  format: OtlpFormat,
  body: Buffer,
): unknown {
  return format === 'json' ? parseJson(body) : parseProtobuf(signal, body);
}

/** Maximum number of rejections listed in a 400's details. */
const MAX_DETAILS = 100;

/**
 * Runs a mapping and raises a 400 when nothing in the request can be read:
 * the nesting is malformed, or every item was rejected. A request with no
 * items at all maps to an empty batch.
 */
export function mapOrReject<T>(
  map: () => MappedBatch<T>,
  noun: string,
): MappedBatch<T> {
  let batch: MappedBatch<T>;
  try {
    batch = map();
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    throw new ValidationError(
      `invalid OTLP request: ${error.message}`,
      [{ path: error.path, message: error.message }],
      error,
    );
  }
  if (batch.items.length === 0 && batch.rejected.length > 0) {
    const first = batch.rejected[0];
    const more = batch.rejected.length - 1;
    throw new ValidationError(
      `no ${noun} could be read: ${first?.reason}` +
        (more > 0 ? ` (and ${more} more)` : ''),
      batch.rejected
        .slice(0, MAX_DETAILS)
        .map((item) => ({ path: item.location, message: item.reason })),
    );
  }
  return batch;
}
