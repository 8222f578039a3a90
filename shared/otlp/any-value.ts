import { MAX_ANY_VALUE_DEPTH } from '../limits.js';
import type { AnyValue, Attributes, KeyValue } from '../model/attributes.js';
import type { InstrumentationScope } from '../model/span.js';
import {
  FieldError,
  readArray,
  readBool,
  readDouble,
  readInt64,
  readObject,
  readString,
} from './fields.js';

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readBytes(value: unknown, path: string): string {
  const text = readString(value, path);
  if (!BASE64.test(text)) {
    throw new FieldError(path, 'invalid bytesValue: expected base64 text');
  }
  return text;
}

function readFiniteAttributeDouble(value: unknown, path: string): number {
  const number = readDouble(value, path);
  if (!Number.isFinite(number)) {
    throw new FieldError(
      path,
      `invalid doubleValue ${String(number)}: attribute numbers must be ` +
        'finite; send the value as a string to keep it',
    );
  }
  return number;
}

function readScalar(
  object: Record<string, unknown>,
  path: string,
): AnyValue | undefined {
  if ('stringValue' in object) {
    return {
      stringValue: readString(object.stringValue, `${path}.stringValue`),
    };
  }
  if ('boolValue' in object) {
    return { boolValue: readBool(object.boolValue, `${path}.boolValue`) };
  }
  if ('intValue' in object) {
    const int = readInt64(object.intValue, `${path}.intValue`);
    return { intValue: int.toString() };
  }
  if ('doubleValue' in object) {
    const doublePath = `${path}.doubleValue`;
    const number = readFiniteAttributeDouble(object.doubleValue, doublePath);
    return { doubleValue: number };
  }
  if ('bytesValue' in object) {
    return { bytesValue: readBytes(object.bytesValue, `${path}.bytesValue`) };
  }
  return undefined;
}

function readNested(
  object: Record<string, unknown>,
  path: string,
  depth: number,
): AnyValue {
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    throw new FieldError(
      path,
      `invalid value: nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
    );
  }
  if ('arrayValue' in object) {
    const array = readObject(object.arrayValue, `${path}.arrayValue`);
    const valuesPath = `${path}.arrayValue.values`;
    const values = readArray(array.values, valuesPath).map((item, index) =>
      readAnyValue(item, `${valuesPath}[${index}]`, depth + 1),
    );
    return { arrayValue: { values } };
  }
  const list = readObject(object.kvlistValue, `${path}.kvlistValue`);
  const valuesPath = `${path}.kvlistValue.values`;
  return {
    kvlistValue: { values: readKeyValues(list.values, valuesPath, depth + 1) },
  };
}

/**
 * Reads an OTLP AnyValue with its type kept; an empty object is the empty
 * value. When a JSON object sets more than one member, the first of
 * string, bool, int, double, bytes, array and kvlist wins.
 */
export function readAnyValue(
  value: unknown,
  path: string,
  depth = 0,
): AnyValue {
  const object = readObject(value, path);
  const scalar = readScalar(object, path);
  if (scalar) return scalar;
  if ('arrayValue' in object || 'kvlistValue' in object) {
    return readNested(object, path, depth);
  }
  return {};
}

function readKeyValues(value: unknown, path: string, depth = 0): KeyValue[] {
  return readArray(value, path).map((item, index) => {
    const entry = readObject(item, `${path}[${index}]`);
    const key = readString(entry.key, `${path}[${index}].key`);
    const valuePath = `${path}[${JSON.stringify(key)}]`;
    return { key, value: readAnyValue(entry.value, valuePath, depth) };
  });
}

/**
 * Reads a KeyValue list into attributes keyed exactly as sent (dotted keys
 * stay flat). Error paths name the attribute by its key. Keys must be
 * unique in OTLP; when one repeats, the last value wins.
 */
export function readAttributes(value: unknown, path: string): Attributes {
  const attributes: Attributes = {};
  for (const { key, value: item } of readKeyValues(value, path)) {
    attributes[key] = item;
  }
  return attributes;
}

/** Reads an InstrumentationScope; absent is the empty scope. */
export function readScope(value: unknown, path: string): InstrumentationScope {
  const scope = readObject(value, path);
  return {
    name: readString(scope.name, `${path}.name`),
    version: readString(scope.version, `${path}.version`),
    attributes: readAttributes(scope.attributes, `${path}.attributes`),
  };
}

/** Reads a Resource's attributes; absent is an empty resource. */
export function readResource(value: unknown, path: string): Attributes {
  const resource = readObject(value, path);
  return readAttributes(resource.attributes, `${path}.attributes`);
}
