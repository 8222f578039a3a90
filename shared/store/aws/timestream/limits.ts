/**
 * Limits of Timestream for LiveAnalytics that shape the metric adapter,
 * from the service quotas page and the WriteRecords API reference of the
 * Timestream developer guide.
 */

/** Records one WriteRecords call may carry. */
export const MAX_RECORDS_PER_WRITE = 100;

/** Largest record, in bytes, as {@link recordSize} counts them. */
export const MAX_RECORD_BYTES = 2_048;

/** Longest dimension name, in UTF-8 bytes. */
export const MAX_DIMENSION_NAME_BYTES = 60;

/** Longest measure name (the metric name), in UTF-8 bytes. */
export const MAX_MEASURE_NAME_BYTES = 256;

/** Most dimensions one record may have. */
export const MAX_DIMENSIONS = 128;

/** How far ahead of the current time a record's timestamp may lie. */
export const MAX_FUTURE_MS = 15 * 60_000;

/** Longest query string that the Query API accepts, in characters. */
export const MAX_QUERY_LENGTH = 262_144;
