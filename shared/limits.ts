/**
 * Every size, count and range cap of Observatory, each with its reason.
 * The README's Limits table lists the same values and the rule applied
 * when an input goes over one. Domain modules import the values from
 * here.
 */

const KIB = 1024;
const MIB = 1024 * KIB;
const DAY_MS = 86_400_000;

// Request bodies.

/**
 * Largest request body accepted on the wire, in bytes. API Gateway hands
 * binary bodies to Lambda base64-encoded (4/3 larger), and a synchronous
 * Lambda event is capped at 6 MB, so 4 MiB on the wire (5.33 MiB as base64)
 * leaves room for headers and the rest of the event.
 */
export const MAX_WIRE_BODY_BYTES = 4 * MIB;

/**
 * Largest body accepted after gzip decompression, in bytes. Gzip shrinks
 * telemetry about tenfold, and a zip bomb (1 KiB that inflates to 1 GiB)
 * must fail before it exhausts the function's memory.
 */
export const MAX_DECOMPRESSED_BODY_BYTES = 32 * MIB;

/**
 * Deepest nesting of arrays and objects in a JSON body. Validation and
 * serialization recurse once per level, so input nested 100,000 levels
 * deep would overflow the stack. 256 levels still fit an OTLP value
 * nested to {@link MAX_ANY_VALUE_DEPTH} (about four JSON levels each), so
 * such a value is rejected as one item, not with its whole request.
 */
export const MAX_JSON_DEPTH = 256;

// Items of an ingest request.

/**
 * Most items (metric points, spans or log records) in one request, OTLP
 * included, where every data point, span or log record counts. Larger
 * requests are rejected whole, so one request stays well inside the
 * 30-second API Gateway timeout.
 */
export const MAX_BATCH_ITEMS = 10_000;

/**
 * Most attributes kept per span, span event and span link, and most events
 * and links per span: the default limits of the OpenTelemetry SDKs.
 * Further items are dropped and counted in the span's `dropped_*` fields.
 */
export const MAX_SPAN_ATTRIBUTES = 128;
export const MAX_SPAN_EVENTS = 128;
export const MAX_SPAN_LINKS = 128;

/**
 * Longest service name, in UTF-16 code units. Every item stores its
 * service name and it appears in URLs and in each topology edge, so an
 * item whose service name is longer is rejected. Registration in the
 * service catalog allows 255.
 */
export const MAX_SERVICE_NAME_LENGTH = 256;

/**
 * Most attribute keys in the resource or the instrumentation scope of a
 * span or metric point. Every item under a resource stores its own copy,
 * so without this cap one request could multiply a large resource by ten
 * thousand items. An item over it is rejected, because the span and metric
 * models have no field that counts dropped resource keys.
 */
export const MAX_RESOURCE_ATTRIBUTES = 256;

/**
 * Most keys in a log record's `attributes`, and separately in its
 * `resource`. A record with more is rejected rather than cut, because the
 * log model has no field to count dropped keys.
 */
export const MAX_LOG_ATTRIBUTES = 256;

/**
 * Largest attribute key of a span or log record, in UTF-8 bytes. Keys name
 * fields (`http.request.method`); a longer key is almost always a value in
 * the wrong place. A span drops such an attribute and counts it in
 * `dropped_attributes_count`; a log record with one is rejected.
 */
export const MAX_ATTRIBUTE_KEY_BYTES = 256;

/**
 * Largest string attribute value, in UTF-8 bytes. A longer value is cut on
 * a character boundary and ends with {@link TRUNCATION_MARK}, which counts
 * toward the cap.
 */
export const MAX_ATTRIBUTE_VALUE_BYTES = 8 * KIB;

/** Appended to a shortened value so readers can tell it was cut. */
export const TRUNCATION_MARK = '…';

/**
 * Deepest nesting of OTLP array and key-value list values. An attribute or
 * log body nested deeper is rejected with its item.
 */
export const MAX_ANY_VALUE_DEPTH = 32;

/**
 * Largest log message, in UTF-8 bytes. Longer records are rejected rather
 * than cut, so a stack trace is never stored half-way.
 */
export const MAX_LOG_MESSAGE_BYTES = 256 * KIB;

/**
 * Most labels on one metric point, and the longest label key and value in
 * UTF-16 code units (JavaScript string length). Labels identify a series,
 * so a point over a cap is rejected: cutting a value could merge two
 * series into one.
 */
export const MAX_METRIC_LABELS = 64;
export const MAX_LABEL_KEY_LENGTH = 256;
export const MAX_LABEL_VALUE_LENGTH = 2048;

/**
 * Default ingest window: how far in the past and in the future a
 * timestamp may lie. Older data would land in partitions that queries no
 * longer read, and future data comes from a wrong client clock. The
 * OBSERVATORY_INGEST_MAX_AGE_HOURS and OBSERVATORY_INGEST_MAX_FUTURE_MINUTES
 * environment variables override them.
 */
export const DEFAULT_INGEST_MAX_AGE_HOURS = 7 * 24;
export const DEFAULT_INGEST_MAX_FUTURE_MINUTES = 10;

// API keys.

/**
 * Longest API key the authorizer looks up, in characters. Our keys have
 * 47 (`obs_` and 43 base64url characters); anything much longer is not a
 * key, so it gets a 401 without a store lookup.
 */
export const MAX_API_KEY_LENGTH = 256;

/**
 * Most key lookups one process caches. Each distinct key presented adds
 * an entry, found or not, so without a cap a caller sending random keys
 * would grow the cache until the process runs out of memory.
 */
export const MAX_CACHED_KEYS = 10_000;

// Queries.

/**
 * Most attribute filters in one log search or trace list. Each filter
 * reads a JSON value of every stored item the query scans, so the cost of
 * a query grows with their number; thousands of filters kept DuckDB busy
 * past the 30-second API Gateway timeout.
 */
export const MAX_ATTRIBUTE_FILTERS = 16;

/**
 * Longest time range of any query route: 31 days. Stores scan every item
 * of the range (DuckDB has no text index, Timestream bills by bytes
 * scanned), so the cap bounds the work of one request.
 */
export const MAX_QUERY_RANGE_MS = 31 * DAY_MS;

/**
 * Largest JSON response body, in bytes, as it appears inside the Lambda
 * result: escaped as a JSON string, which doubles a body made of quotes.
 * A synchronous Lambda may return at most 6 MB, and the result carries
 * headers besides the body. A response over the cap is a 400 that asks for
 * a narrower query, instead of a failed invocation.
 */
export const MAX_RESPONSE_BYTES = 5 * MIB;
