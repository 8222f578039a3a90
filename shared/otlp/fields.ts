/**
 * Readers for the scalar fields of an OTLP request in its JSON shape. The
 * JSON body and the decoded protobuf body both arrive in this shape: 64-bit
 * integers as decimal strings (or numbers in JSON), doubles as numbers or
 * the strings "NaN", "Infinity" and "-Infinity", enums as integers. An
 * absent field reads as its protobuf default. Each reader raises a
 * {@link FieldError} naming the field when the value has the wrong form.
 */

/** A field of one OTLP item that cannot be read; the item is rejected. */
export class FieldError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'FieldError';
    this.path = path;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** Reads a message field; absent is an empty message. */
export function readObject(
  value: unknown,
  path: string,
): Record<string, unknown> {
  if (isAbsent(value)) return {};
  if (typeof value === 'object' && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new FieldError(
    path,
    `invalid value ${describe(value)}: expected an object`,
  );
}

/** Reads a repeated field; absent is an empty list. */
export function readArray(value: unknown, path: string): unknown[] {
  if (isAbsent(value)) return [];
  if (Array.isArray(value)) return value;
  throw new FieldError(
    path,
    `invalid value ${describe(value)}: expected an array`,
  );
}

export function readString(value: unknown, path: string): string {
  if (isAbsent(value)) return '';
  if (typeof value === 'string') return value;
  throw new FieldError(
    path,
    `invalid value ${describe(value)}: expected a string`,
  );
}

export function readBool(value: unknown, path: string): boolean {
  if (isAbsent(value)) return false;
  if (typeof value === 'boolean') return value;
  throw new FieldError(
    path,
    `invalid value ${describe(value)}: expected true or false`,
  );
}

function parseInteger(value: unknown, path: string): bigint {
  if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) {
    return BigInt(value);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return BigInt(value);
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    // The number was already rounded to a double. The OTLP/JSON decoder
    // quotes long integer literals, so only callers passing JS numbers
    // get here.
    throw new FieldError(
      path,
      `invalid integer ${describe(value)}: a JSON number above 2^53 loses ` +
        'precision; send 64-bit integers as decimal strings',
    );
  }
  throw new FieldError(
    path,
    `invalid integer ${describe(value)}: expected a decimal integer ` +
      '(a string of digits or a JSON number)',
  );
}

function readRanged(
  value: unknown,
  path: string,
  min: bigint,
  max: bigint,
  kind: string,
): bigint {
  if (isAbsent(value)) return 0n;
  const parsed = parseInteger(value, path);
  if (parsed < min || parsed > max) {
    throw new FieldError(
      path,
      `invalid integer ${describe(value)}: outside the range of ${kind}`,
    );
  }
  return parsed;
}

/** Reads an int64 or sfixed64 field exactly. */
export function readInt64(value: unknown, path: string): bigint {
  return readRanged(value, path, INT64_MIN, INT64_MAX, 'int64');
}

/** Reads a uint64 or fixed64 field (counts, `*UnixNano`) exactly. */
export function readUint64(value: unknown, path: string): bigint {
  return readRanged(value, path, 0n, UINT64_MAX, 'uint64');
}

/** Reads a uint32 or fixed32 field. */
export function readUint32(value: unknown, path: string): number {
  return Number(readRanged(value, path, 0n, 2n ** 32n - 1n, 'uint32'));
}

/** Reads an int32, sint32 or enum field; enums are integers in OTLP JSON. */
export function readInt32(value: unknown, path: string): number {
  return Number(readRanged(value, path, -(2n ** 31n), 2n ** 31n - 1n, 'int32'));
}

/** Reads an enum field as the member of `values` at its integer value. */
export function readEnum<T>(
  values: readonly T[],
  value: unknown,
  path: string,
): T {
  const index = readInt32(value, path);
  const member = values[index];
  if (member === undefined) {
    throw new FieldError(
      path,
      `invalid value ${index}: expected an integer from 0 to ` +
        `${values.length - 1}`,
    );
  }
  return member;
}

/**
 * Reads a uint64 count that the domain model keeps as a JS number. A count
 * above 2^53 - 1 is rejected because a double would round it.
 */
export function readCount(value: unknown, path: string): number {
  const count = readUint64(value, path);
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FieldError(
      path,
      `count ${count} exceeds 2^53 - 1, the largest count stored exactly`,
    );
  }
  return Number(count);
}

/**
 * Reads a double field. The result may be NaN or infinite: callers decide
 * whether to reject the item or treat the value as absent.
 */
export function readDouble(value: unknown, path: string): number {
  if (isAbsent(value)) return 0;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && DECIMAL_NUMBER.test(value)) {
    return Number(value);
  }
  throw new FieldError(
    path,
    `invalid number ${describe(value)}: expected a JSON number, a decimal ` +
      'string, "NaN", "Infinity" or "-Infinity"',
  );
}

/** Reads a double that must be finite when present. */
export function readFiniteDouble(value: unknown, path: string): number {
  const number = readDouble(value, path);
  if (!Number.isFinite(number)) {
    throw new FieldError(
      path,
      `invalid number ${describe(value)}: expected a finite number`,
    );
  }
  return number;
}

/** Reads an optional double; absent and non-finite values are null. */
export function readOptionalDouble(
  value: unknown,
  path: string,
): number | null {
  if (isAbsent(value)) return null;
  const number = readDouble(value, path);
  return Number.isFinite(number) ? number : null;
}

/** Converts nanoseconds since the epoch to whole milliseconds. */
export function msFromNanos(nanos: bigint): number {
  return Number(nanos / 1_000_000n);
}
