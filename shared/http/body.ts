import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '../errors.js';
import { MAX_DECOMPRESSED_BODY_BYTES, MAX_WIRE_BODY_BYTES } from '../limits.js';

function header(event: APIGatewayProxyEventV2, name: string): string {
  return event.headers?.[name] ?? '';
}

function gunzip(compressed: Buffer): Buffer {
  try {
    return gunzipSync(compressed, {
      maxOutputLength: MAX_DECOMPRESSED_BODY_BYTES,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(
        `request body exceeds ${MAX_DECOMPRESSED_BODY_BYTES} bytes after ` +
          'gzip decompression; send smaller batches',
      );
    }
    throw new ValidationError(
      'request body is not valid gzip although content-encoding is gzip',
      [{ path: 'body', message: 'invalid gzip data' }],
      error,
    );
  }
}

/**
 * Decodes an API Gateway body: base64 when `isBase64Encoded`, then gzip
 * when `content-encoding: gzip`. Enforces the wire and decompressed caps.
 */
export function decodeBody(event: APIGatewayProxyEventV2): Buffer {
  const text = event.body ?? '';
  const wire = event.isBase64Encoded
    ? Buffer.from(text, 'base64')
    : Buffer.from(text, 'utf8');

  if (wire.length > MAX_WIRE_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `request body of ${wire.length} bytes exceeds the limit of ` +
        `${MAX_WIRE_BODY_BYTES} bytes; send smaller batches`,
    );
  }

  const encoding = header(event, 'content-encoding').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return wire;
  if (encoding === 'gzip') return gunzip(wire);

  throw new ValidationError(
    `content-encoding ${encoding} is not supported; send gzip or identity`,
    [{ path: 'headers.content-encoding', message: 'unsupported encoding' }],
  );
}
