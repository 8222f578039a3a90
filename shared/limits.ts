/**
 * Largest request body accepted on the wire, in bytes. API Gateway hands
 * binary bodies to Lambda base64-encoded (4/3 larger), and a synchronous
 * Lambda event is capped at 6 MB, so 4 MiB on the wire (5.33 MiB as base64)
 * leaves room for headers and the rest of the event.
 */
export const MAX_WIRE_BODY_BYTES = 4 * 1024 * 1024;

/** Largest body accepted after gzip decompression, against zip bombs. */
export const MAX_DECOMPRESSED_BODY_BYTES = 32 * 1024 * 1024;

/** Most items (points, spans or log records) in one batch request. */
export const MAX_BATCH_ITEMS = 10_000;
