import { parseDateValue } from './dates.js';
import { illegalArgument, parsingError } from './errors.js';
import {
  DEFAULT_DATE_FORMAT,
  type FakeIndex,
  flatEntries,
  normalize,
  type ResolvedField,
  resolveField,
  valuesAt,
} from './mapping.js';

type Source = Record<string, unknown>;
type Clause = Record<string, unknown>;

/** Query types the fake evaluates; any other is a parsing_exception. */
const QUERY_TYPES = [
  'bool',
  'term',
  'terms',
  'range',
  'wildcard',
  'exists',
  'match_all',
] as const;

function single(clause: unknown, where: string): [string, unknown] {
  if (clause === null || typeof clause !== 'object') {
    throw parsingError(`[${where}] query malformed, expected an object`);
  }
  const entries = Object.entries(clause);
  const [first] = entries;
  if (entries.length !== 1 || !first) {
    throw parsingError(`[${where}] query malformed, expected one field`);
  }
  return first;
}

/** The text values a field holds in a document, normalized. */
function textValues(index: FakeIndex, field: ResolvedField, source: Source) {
  const raw = valuesAt(source, field.sourcePath);
  if (field.flatPath !== undefined) {
    return raw.flatMap((value) =>
      flatEntries(value)
        .filter(([path]) => path === field.flatPath)
        .map(([, text]) => text),
    );
  }
  const limit = field.mapping.ignore_above ?? Number.POSITIVE_INFINITY;
  return raw
    .map(String)
    .filter((text) => text.length <= limit)
    .map((text) => normalize(index, field.mapping.normalizer, text));
}

/** The term query's `{field: value}` or `{field: {value}}` form. */
function termValue(spec: unknown): unknown {
  if (spec !== null && typeof spec === 'object' && 'value' in spec) {
    return (spec as { value: unknown }).value;
  }
  return spec;
}

function matchTerms(
  index: FakeIndex,
  source: Source,
  name: string,
  expected: unknown[],
): boolean {
  const field = resolveField(index, name);
  if (!field) return false;
  if (field.mapping.type === 'text' && field.flatPath === undefined) {
    // A text field holds analyzed tokens; the fake has no analyzer.
    throw parsingError(`the fake does not run term queries on text [${name}]`);
  }
  const wanted = expected.map((value) =>
    normalize(index, field.mapping.normalizer, String(value)),
  );
  return textValues(index, field, source).some((value) =>
    wanted.includes(value),
  );
}

function comparableOf(field: ResolvedField, value: unknown, format?: string) {
  const type = field.mapping.type;
  if (type === 'date' || type === 'date_nanos') {
    const used = format ?? field.mapping.format ?? DEFAULT_DATE_FORMAT;
    const nanos = parseDateValue(value, used);
    if (nanos === undefined) {
      throw illegalArgument(
        `failed to parse date field [${String(value)}] with format [${used}]`,
      );
    }
    return nanos;
  }
  if (type === 'keyword') return String(value);
  return Number(value);
}

function matchRange(index: FakeIndex, source: Source, spec: unknown) {
  const [name, bounds] = single(spec, 'range');
  const field = resolveField(index, name);
  if (!field) return false;
  const { format, ...limits } = bounds as Record<string, unknown>;
  const stored = valuesAt(source, field.sourcePath).map((value) =>
    comparableOf(field, value),
  );
  const checks = Object.entries(limits).map(([op, raw]) => {
    const limit = comparableOf(field, raw, format as string | undefined);
    return (value: bigint | number | string) => {
      if (op === 'gte') return value >= limit;
      if (op === 'gt') return value > limit;
      if (op === 'lte') return value <= limit;
      if (op === 'lt') return value < limit;
      throw parsingError(`[range] query does not support [${op}]`);
    };
  });
  return stored.some((value) => checks.every((check) => check(value)));
}

/**
 * Compiles a wildcard pattern: `*` is any text, `?` one character, and
 * `\` makes the next character literal.
 */
export function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let position = 0; position < pattern.length; position += 1) {
    const char = pattern.charAt(position);
    if (char === '\\' && position + 1 < pattern.length) {
      position += 1;
      source += pattern.charAt(position).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

function matchWildcard(index: FakeIndex, source: Source, spec: unknown) {
  const [name, options] = single(spec, 'wildcard');
  const field = resolveField(index, name);
  if (!field) return false;
  const { value, case_insensitive: caseInsensitive } = options as {
    value: string;
    case_insensitive?: boolean;
  };
  let pattern = normalize(index, field.mapping.normalizer, value);
  if (caseInsensitive) pattern = pattern.toLowerCase();
  const regExp = wildcardRegExp(pattern);
  return textValues(index, field, source).some((text) =>
    regExp.test(caseInsensitive ? text.toLowerCase() : text),
  );
}

function clauses(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function matchBool(index: FakeIndex, source: Source, spec: unknown): boolean {
  const bool = spec as Record<string, unknown>;
  const required = [...clauses(bool.filter), ...clauses(bool.must)];
  const excluded = clauses(bool.must_not);
  const optional = clauses(bool.should);
  const defaultMinimum = required.length > 0 ? 0 : 1;
  const minimum = Number(bool.minimum_should_match ?? defaultMinimum);

  if (!required.every((clause) => matches(index, source, clause))) {
    return false;
  }
  if (excluded.some((clause) => matches(index, source, clause))) return false;
  if (optional.length === 0) return true;
  const matched = optional.filter((clause) => matches(index, source, clause));
  return matched.length >= minimum;
}

/**
 * Evaluates a query clause against one document of an index, for the
 * query types in {@link QUERY_TYPES}. Raises a parsing_exception for any
 * other, so a test fails loudly rather than matching wrongly.
 */
export function matches(index: FakeIndex, source: Source, query: unknown) {
  const [type, spec] = single(query, 'query');
  switch (type as (typeof QUERY_TYPES)[number]) {
    case 'bool':
      return matchBool(index, source, spec);
    case 'term': {
      const [name, value] = single(spec, 'term');
      return matchTerms(index, source, name, [termValue(value)]);
    }
    case 'terms': {
      const [name, values] = single(spec, 'terms');
      return matchTerms(index, source, name, values as unknown[]);
    }
    case 'range':
      return matchRange(index, source, spec);
    case 'wildcard':
      return matchWildcard(index, source, spec);
    case 'exists': {
      const field = resolveField(index, (spec as Clause).field as string);
      return field ? textValues(index, field, source).length > 0 : false;
    }
    case 'match_all':
      return true;
    default:
      throw parsingError(
        `unknown query [${type}]; the fake supports ${QUERY_TYPES.join(', ')}`,
      );
  }
}
