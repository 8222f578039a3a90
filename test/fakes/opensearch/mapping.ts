import { type FakeOpenSearchError, fakeError } from './errors.js';

/** One field of a mapping, or the mapping's root. */
export interface FieldMapping {
  /** Absent for an object with `properties`. */
  type?: string;
  properties?: Record<string, FieldMapping>;
  /** Multi-fields: the same source value indexed another way. */
  fields?: Record<string, FieldMapping>;
  dynamic?: boolean | 'true' | 'false' | 'strict';
  enabled?: boolean;
  format?: string;
  normalizer?: string;
  doc_values?: boolean;
  ignore_above?: number;
}

/** A composable index template, as `PUT _index_template` takes it. */
export interface IndexTemplate {
  index_patterns: string[];
  priority?: number;
  template?: {
    settings?: Record<string, unknown>;
    mappings?: FieldMapping;
  };
}

export interface StoredDocument {
  id: string;
  source: Record<string, unknown>;
  version: number;
  seqNo: number;
}

/** An index: its mapping, the normalizers it defines and its documents. */
export interface FakeIndex {
  name: string;
  mappings: FieldMapping;
  /** Normalizer name to its token filters. */
  normalizers: Record<string, string[]>;
  totalFieldsLimit: number;
  documents: Map<string, StoredDocument>;
  nextSeqNo: number;
}

/** Types the fake can map, with the default format of the date ones. */
const KNOWN_TYPES = new Set([
  'keyword',
  'text',
  'wildcard',
  'date',
  'date_nanos',
  'short',
  'integer',
  'long',
  'float',
  'double',
  'boolean',
  'flat_object',
  'object',
]);

export const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

function mapperError(reason: string): FakeOpenSearchError {
  return fakeError(400, 'mapper_parsing_exception', reason);
}

/** Reads a setting given nested (`index: {mapping: ...}`) or dotted. */
function setting(settings: Record<string, unknown>, path: string): unknown {
  if (path in settings) return settings[path];
  let value: unknown = settings;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function normalizersOf(
  settings: Record<string, unknown>,
): Record<string, string[]> {
  const defined = (setting(settings, 'analysis.normalizer') ?? {}) as Record<
    string,
    { filter?: string[] }
  >;
  const normalizers: Record<string, string[]> = { lowercase: ['lowercase'] };
  for (const [name, spec] of Object.entries(defined)) {
    normalizers[name] = spec.filter ?? [];
  }
  return normalizers;
}

/** Checks every field's type and normalizer, as index creation does. */
function checkMapping(
  mapping: FieldMapping,
  normalizers: Record<string, string[]>,
  path: string,
): void {
  for (const [name, field] of Object.entries(mapping.properties ?? {})) {
    const fieldPath = path ? `${path}.${name}` : name;
    checkField(field, normalizers, fieldPath);
  }
}

function checkField(
  field: FieldMapping,
  normalizers: Record<string, string[]>,
  path: string,
): void {
  const type = field.type ?? 'object';
  if (!KNOWN_TYPES.has(type)) {
    throw mapperError(
      `No handler for type [${type}] declared on field [${path}]`,
    );
  }
  if (field.normalizer && !normalizers[field.normalizer]) {
    throw mapperError(
      `normalizer [${field.normalizer}] not found for field [${path}]`,
    );
  }
  checkMapping(field, normalizers, path);
  for (const [name, sub] of Object.entries(field.fields ?? {})) {
    checkField(sub, normalizers, `${path}.${name}`);
  }
}

/** Counts mapped fields as `index.mapping.total_fields.limit` does. */
export function countFields(mapping: FieldMapping): number {
  let count = 0;
  for (const field of Object.values(mapping.properties ?? {})) {
    count += 1 + countFields(field) + Object.keys(field.fields ?? {}).length;
  }
  return count;
}

/**
 * Creates an index from a template body (or from nothing, which maps
 * fields dynamically). Raises mapper_parsing_exception for an unknown
 * type or normalizer, as OpenSearch does when it validates a template.
 */
export function createIndex(
  name: string,
  template: IndexTemplate['template'] = {},
): FakeIndex {
  const settings = template.settings ?? {};
  const mappings = structuredClone(template.mappings ?? { properties: {} });
  mappings.properties ??= {};
  const normalizers = normalizersOf(settings);
  checkMapping(mappings, normalizers, '');
  const limit = setting(settings, 'index.mapping.total_fields.limit');
  return {
    name,
    mappings,
    normalizers,
    totalFieldsLimit: Number(limit ?? 1000),
    documents: new Map(),
    nextSeqNo: 0,
  };
}

/** Whether `name` matches an index pattern where `*` is any text. */
export function matchesPattern(pattern: string, name: string): boolean {
  const parts = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}

/** Picks the matching template with the highest priority. */
export function templateFor(
  templates: Map<string, IndexTemplate>,
  indexName: string,
): IndexTemplate | undefined {
  let best: IndexTemplate | undefined;
  for (const template of templates.values()) {
    const matches = template.index_patterns.some((pattern) =>
      matchesPattern(pattern, indexName),
    );
    if (matches && (template.priority ?? 0) > (best?.priority ?? -1)) {
      best = template;
    }
  }
  return best;
}

/** Where a query's field name leads in the mapping and in `_source`. */
export interface ResolvedField {
  mapping: FieldMapping;
  /** Path of the value in `_source`; a multi-field reads its parent's. */
  sourcePath: string[];
  /** For a `flat_object`, the dotted path inside it. */
  flatPath?: string;
}

/**
 * Resolves a field name such as `service`, `message.substring` (a
 * multi-field) or `attributes.app.kubernetes.io/name` (a path inside a
 * `flat_object`). Returns undefined for an unmapped field.
 */
export function resolveField(
  index: FakeIndex,
  name: string,
): ResolvedField | undefined {
  const parts = name.split('.');
  let mapping = index.mappings;
  const sourcePath: string[] = [];
  for (let position = 0; position < parts.length; position += 1) {
    const part = parts[position] ?? '';
    const child = mapping.properties?.[part];
    const multi = mapping.fields?.[part];
    if (child) {
      sourcePath.push(part);
      mapping = child;
      if (child.type === 'flat_object' && position < parts.length - 1) {
        const flatPath = parts.slice(position + 1).join('.');
        return { mapping: child, sourcePath, flatPath };
      }
    } else if (multi && position === parts.length - 1) {
      return { mapping: multi, sourcePath };
    } else return undefined;
  }
  return { mapping, sourcePath };
}

/** Leaf values at a source path, arrays flattened. */
export function valuesAt(
  source: Record<string, unknown>,
  path: string[],
): unknown[] {
  let values: unknown[] = [source];
  for (const part of path) {
    values = values.flatMap((value) => {
      if (value === null || typeof value !== 'object') return [];
      const next = (value as Record<string, unknown>)[part];
      return Array.isArray(next) ? next : [next];
    });
  }
  return values.filter((value) => value !== undefined && value !== null);
}

/**
 * The `path=value` pairs a `flat_object` indexes: keys joined with dots
 * on the way down, leaves rendered as text, arrays as several values.
 */
export function flatEntries(value: unknown, prefix = ''): [string, string][] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => flatEntries(item, prefix));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) =>
      flatEntries(item, prefix ? `${prefix}.${key}` : key),
    );
  }
  if (value === null || value === undefined) return [];
  return [[prefix, String(value)]];
}

/**
 * Applies a normalizer's filters; the fake knows `lowercase` only. It
 * uses JavaScript's toLowerCase, which differs from Lucene's lowercase
 * filter for a few characters such as U+0130.
 */
export function normalize(
  index: FakeIndex,
  normalizer: string | undefined,
  text: string,
): string {
  if (!normalizer) return text;
  const filters = index.normalizers[normalizer] ?? [];
  return filters.includes('lowercase') ? text.toLowerCase() : text;
}
