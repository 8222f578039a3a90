import type { OtlpSignal } from '../otlp/protobuf.js';

/**
 * The names a sender uses to declare that its records hold OTLP export
 * requests of one signal. On Kinesis the partition key carries the name,
 * as the whole key or as its start followed by `:` or `/`, such as
 * `otlp-traces:checkout`. On Firehose the delivery stream's common
 * attribute `format` carries it. Undeclared records are recognized by
 * their content.
 */
export const SIGNAL_FORMATS: Record<string, OtlpSignal> = {
  'otlp-traces': 'traces',
  'otlp-metrics': 'metrics',
  'otlp-logs': 'logs',
};

/** The fix named in messages about an undeclared or unknown signal. */
export const DECLARE_SIGNAL_HINT =
  'declare the signal with a Kinesis partition key or a Firehose common ' +
  `attribute format of ${Object.keys(SIGNAL_FORMATS).join(', ')}`;

/** Reads the signal declared by a Kinesis partition key, if any. */
export function signalOfPartitionKey(key: string): OtlpSignal | undefined {
  const name = /^[^:/]*/.exec(key)?.[0] ?? '';
  return SIGNAL_FORMATS[name];
}

/** The Firehose header that carries the delivery stream's attributes. */
export const COMMON_ATTRIBUTES_HEADER = 'x-amz-firehose-common-attributes';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one attribute of the common attributes header. */
function commonAttributeOf(header: string, name: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed) || !isObject(parsed.commonAttributes)) {
    throw new Error(
      `${COMMON_ATTRIBUTES_HEADER} is not valid; expected JSON such as ` +
        '{"commonAttributes": {"format": "otlp-traces"}}',
    );
  }
  return parsed.commonAttributes[name];
}

/**
 * Reads the signal declared by Firehose's common attributes header,
 * `{"commonAttributes": {"format": "otlp-traces"}}`. Returns undefined
 * when no format is declared, and raises an Error naming the accepted
 * values when the header is not that JSON or names an unknown format.
 */
export function signalOfCommonAttributes(
  header: string | undefined,
): OtlpSignal | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const format = commonAttributeOf(header, 'format');
  if (format === undefined) return undefined;
  const signal =
    typeof format === 'string' ? SIGNAL_FORMATS[format] : undefined;
  if (signal) return signal;
  throw new Error(
    `common attribute format ${JSON.stringify(format)} is unknown; use ` +
      `one of ${Object.keys(SIGNAL_FORMATS).join(', ')}, or leave it out`,
  );
}
