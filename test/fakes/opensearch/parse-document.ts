import { MAX_DATE_NANOS, parseDateValue } from './dates.js';
import { type FakeOpenSearchError, fakeError } from './errors.js';
import {
  countFields,
  DEFAULT_DATE_FORMAT,
  type FakeIndex,
  type FieldMapping,
} from './mapping.js';

/** Integer ranges of the numeric types the fake maps. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  short: [-32_768, 32_767],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Where the parser is: the document id and the field path. */
interface Context {
  id: string;
  path: string;
}

function preview(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function failedField(
  context: Context,
  type: string,
  value: unknown,
  cause: string,
): FakeOpenSearchError {
  return fakeError(
    400,
    'mapper_parsing_exception',
    `failed to parse field [${context.path}] of type [${type}] in document ` +
      `with id '${context.id}'. Preview of field's value: '${preview(value)}'`,
    { caused_by: { type: 'illegal_argument_exception', reason: cause } },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkText(field: FieldMapping, context: Context, value: unknown) {
  if (isObject(value)) {
    throw failedField(
      context,
      field.type ?? 'text',
      value,
      "Can't get text on a START_OBJECT",
    );
  }
}

function checkDate(field: FieldMapping, context: Context, value: unknown) {
  const type = field.type ?? 'date';
  const format = field.format ?? DEFAULT_DATE_FORMAT;
  const nanos = parseDateValue(value, format);
  if (nanos === undefined) {
    throw failedField(
      context,
      type,
      value,
      `failed to parse date field [${preview(value)}] with format [${format}]`,
    );
  }
  if (type === 'date_nanos' && (nanos < 0n || nanos > MAX_DATE_NANOS)) {
    throw failedField(
      context,
      type,
      value,
      `date[${preview(value)}] is outside the range that nanosecond ` +
        'resolution can store',
    );
  }
}

function checkNumber(field: FieldMapping, context: Context, value: unknown) {
  const type = field.type ?? 'long';
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw failedField(context, type, value, `For input string: "${value}"`);
  }
  const range = INTEGER_RANGES[type];
  if (range && (number < range[0] || number > range[1])) {
    throw failedField(
      context,
      type,
      value,
      `Value [${value}] is out of range for a ${type}`,
    );
  }
}

function checkLeaf(field: FieldMapping, context: Context, value: unknown) {
  switch (field.type) {
    case 'date':
    case 'date_nanos':
      return checkDate(field, context, value);
    case 'short':
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return checkNumber(field, context, value);
    case 'boolean':
      if (value === true || value === false) return;
      if (value === 'true' || value === 'false') return;
      throw failedField(context, 'boolean', value, 'not a boolean');
    default:
      return checkText(field, context, value);
  }
}

/** Guesses the mapping of a new field, as dynamic mapping does. */
function dynamicMappingOf(value: unknown): FieldMapping {
  const sample = Array.isArray(value) ? value[0] : value;
  if (isObject(sample)) return { properties: {} };
  if (typeof sample === 'boolean') return { type: 'boolean' };
  if (typeof sample === 'number') {
    return { type: Number.isInteger(sample) ? 'long' : 'float' };
  }
  return {
    type: 'text',
    fields: { keyword: { type: 'keyword', ignore_above: 256 } },
  };
}

function isStrict(dynamic: FieldMapping['dynamic']): boolean {
  return dynamic === 'strict';
}

function isOff(dynamic: FieldMapping['dynamic']): boolean {
  return dynamic === false || dynamic === 'false';
}

/**
 * Checks one object against an object mapping, adding fields to it when
 * it maps dynamically. `inherited` is the nearest `dynamic` setting.
 */
function parseObject(
  mapping: FieldMapping,
  source: Record<string, unknown>,
  context: Context,
  inherited: FieldMapping['dynamic'],
): void {
  const dynamic = mapping.dynamic ?? inherited;
  mapping.properties ??= {};
  for (const [key, value] of Object.entries(source)) {
    const path = context.path ? `${context.path}.${key}` : key;
    let field = mapping.properties[key];
    if (!field) {
      if (isStrict(dynamic)) {
        throw fakeError(
          400,
          'strict_dynamic_mapping_exception',
          `mapping set to strict, dynamic introduction of [${key}] within ` +
            `[${context.path || '_doc'}] is not allowed`,
        );
      }
      if (isOff(dynamic) || value === null) continue;
      field = dynamicMappingOf(value);
      mapping.properties[key] = field;
    }
    parseValue(field, value, { id: context.id, path }, dynamic);
  }
}

function parseValue(
  field: FieldMapping,
  value: unknown,
  context: Context,
  dynamic: FieldMapping['dynamic'],
): void {
  if (value === null || field.enabled === false) return;
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item === null) continue;
    if (field.type === 'flat_object') {
      if (!isObject(item)) {
        throw failedField(context, 'flat_object', item, 'expected an object');
      }
    } else if (field.type === undefined || field.type === 'object') {
      if (!isObject(item)) {
        throw fakeError(
          400,
          'mapper_parsing_exception',
          `object mapping for [${context.path}] tried to parse field ` +
            `[${context.path}] as object, but found a concrete value`,
        );
      }
      parseObject(field, item, context, dynamic);
    } else checkLeaf(field, context, item);
  }
}

/**
 * Checks a document against the index mapping, as indexing does, and
 * applies the dynamic mapping updates it causes. Raises the same error
 * types as OpenSearch: `strict_dynamic_mapping_exception` for an unknown
 * field under `dynamic: strict`, `mapper_parsing_exception` for a value
 * of the wrong kind, `illegal_argument_exception` above the field limit.
 * On an error the mapping is left as it was.
 */
export function parseDocument(
  index: FakeIndex,
  source: unknown,
  id: string,
): void {
  if (!isObject(source)) {
    throw fakeError(
      400,
      'mapper_parsing_exception',
      'failed to parse, document is empty or not an object',
    );
  }
  const updated = structuredClone(index.mappings);
  parseObject(updated, source, { id, path: '' }, 'true');

  const total = countFields(updated);
  if (total > index.totalFieldsLimit) {
    throw fakeError(
      400,
      'illegal_argument_exception',
      `Limit of total fields [${index.totalFieldsLimit}] has been exceeded`,
    );
  }
  index.mappings = updated;
}
