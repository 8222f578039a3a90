/**
 * An attribute value with its type kept, in the shape of OTLP's JSON
 * `AnyValue`: 64-bit integers are decimal strings so they never pass through
 * a double, and bytes are base64.
 */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** Attributes keyed exactly as sent: dotted keys are never nested. */
export type Attributes = Record<string, AnyValue>;

/** A JSON value as our API accepts and returns attributes. */
export type PlainValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PlainValue[]
  | { [key: string]: PlainValue };

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Types an integer: one that fits OTLP's int64 is an `intValue`. A wider one, which
 * our JSON parser hands over as bigint, or an integral double beyond 2^53
 * such as 1e21, is kept as a double, as JSON itself would read it.
 */
function integerValue(value: bigint): AnyValue {
  if (value >= INT64_MIN && value <= INT64_MAX) {
    return { intValue: value.toString() };
  }
  return { doubleValue: Number(value) };
}

/** Converts a value from our JSON API into a typed {@link AnyValue}. */
export function anyValueFromPlain(value: PlainValue): AnyValue {
  if (value === null) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'bigint') return integerValue(value);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? { intValue: String(value) }
      : { doubleValue: value };
  }
  if (Array.isArray(value)) {
    return { arrayValue: { values: value.map(anyValueFromPlain) } };
  }
  const values = Object.entries(value).map(([key, item]) => ({
    key,
    value: anyValueFromPlain(item),
  }));
  return { kvlistValue: { values } };
}

/**
 * Converts a typed value to plain JSON for API responses. Integers outside
 * the safe double range become bigint, which the response writer emits as
 * exact JSON numbers.
 */
export function plainFromAnyValue(value: AnyValue): PlainValue {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('doubleValue' in value) return value.doubleValue;
  if ('bytesValue' in value) return value.bytesValue;
  if ('intValue' in value) {
    const big = BigInt(value.intValue);
    return big > SAFE_MAX || big < SAFE_MIN ? big : Number(big);
  }
  if ('arrayValue' in value) {
    return value.arrayValue.values.map(plainFromAnyValue);
  }
  if ('kvlistValue' in value) {
    return Object.fromEntries(
      value.kvlistValue.values.map((kv) => [
        kv.key,
        plainFromAnyValue(kv.value),
      ]),
    );
  }
  return null;
}

export function attributesFromPlain(
  plain: Record<string, PlainValue>,
): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(plain)) {
    out[key] = anyValueFromPlain(value);
  }
  return out;
}

export function plainFromAttributes(
  attributes: Attributes,
): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = plainFromAnyValue(value);
  }
  return out;
}

/** Renders a value as text, for labels, log messages and equality filters. */
export function textFromAnyValue(value: AnyValue): string {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return value.intValue;
  if ('boolValue' in value) return String(value.boolValue);
  if ('doubleValue' in value) return String(value.doubleValue);
  if ('bytesValue' in value) return value.bytesValue;
  const plain = plainFromAnyValue(value);
  return plain === null ? '' : JSON.stringify(plain, bigintAsString);
}

function bigintAsString(_key: string, item: unknown): unknown {
  return typeof item === 'bigint' ? item.toString() : item;
}

/** The text of a string attribute, or undefined when absent or not text. */
export function stringAttribute(
  attributes: Attributes,
  key: string,
): string | undefined {
  const value = attributes[key];
  return value && 'stringValue' in value ? value.stringValue : undefined;
}
