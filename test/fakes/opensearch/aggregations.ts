import { isoOfMs, msOfNanos, parseDateValue } from './dates.js';
import { illegalArgument, parsingError } from './errors.js';
import {
  DEFAULT_DATE_FORMAT,
  type FakeIndex,
  normalize,
  type ResolvedField,
  resolveField,
  type StoredDocument,
  valuesAt,
} from './mapping.js';

/** A matching document with the index whose mapping reads it. */
export interface Match {
  index: FakeIndex;
  document: StoredDocument;
}

type Spec = Record<string, unknown>;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses a `fixed_interval` such as `90s` or `60000ms`. */
export function fixedIntervalMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  const amount = Number(match?.[1]);
  const unit = UNIT_MS[match?.[2] ?? ''];
  if (!match || !unit || amount <= 0) {
    throw illegalArgument(
      `failed to parse setting [fixed_interval] with value [${text}]`,
    );
  }
  return amount * unit;
}

function fieldOf(match: Match, name: string): ResolvedField {
  const field = resolveField(match.index, name);
  if (!field) {
    throw illegalArgument(
      `field [${name}] is not mapped in [${match.index.name}]`,
    );
  }
  return field;
}

function dateMsValues(match: Match, name: string): number[] {
  const field = fieldOf(match, name);
  const type = field.mapping.type;
  if (type !== 'date' && type !== 'date_nanos') {
    throw illegalArgument(
      `Field [${name}] of type [${type}] is not supported for aggregation [date_histogram]`,
    );
  }
  const format = field.mapping.format ?? DEFAULT_DATE_FORMAT;
  return valuesAt(match.document.source, field.sourcePath).map((value) =>
    msOfNanos(parseDateValue(value, format) ?? 0n),
  );
}

function keywordValues(match: Match, name: string): string[] {
  const field = fieldOf(match, name);
  if (field.mapping.type !== 'keyword') {
    throw illegalArgument(
      `Text fields are not optimised for operations that require ` +
        `per-document field data; [${name}] is [${field.mapping.type}]`,
    );
  }
  const values = valuesAt(match.document.source, field.sourcePath);
  const texts = values.map((value) =>
    normalize(match.index, field.mapping.normalizer, String(value)),
  );
  return [...new Set(texts)];
}

function dateHistogram(matches: Match[], spec: Spec, sub: Spec | undefined) {
  if (spec.fixed_interval === undefined) {
    throw parsingError(
      'the fake supports date_histogram with fixed_interval only',
    );
  }
  const interval = fixedIntervalMs(String(spec.fixed_interval));
  const minDocCount = Number(spec.min_doc_count ?? 0);
  const groups = new Map<number, Match[]>();
  for (const match of matches) {
    const keys = new Set(
      dateMsValues(match, String(spec.field)).map(
        (ms) => Math.floor(ms / interval) * interval,
      ),
    );
    for (const key of keys)
      groups.set(key, [...(groups.get(key) ?? []), match]);
  }

  let keys = [...groups.keys()].sort((a, b) => a - b);
  const [first] = keys;
  const last = keys.at(-1);
  if (minDocCount === 0 && first !== undefined && last !== undefined) {
    keys = [];
    for (let key = first; key <= last; key += interval) keys.push(key);
  }
  const buckets = keys
    .map((key) => ({ key, members: groups.get(key) ?? [] }))
    .filter(({ members }) => members.length >= minDocCount)
    .map(({ key, members }) => ({
      key_as_string: isoOfMs(key),
      key,
      doc_count: members.length,
      ...aggregate(members, sub),
    }));
  return { buckets };
}

function terms(matches: Match[], spec: Spec, sub: Spec | undefined) {
  const size = Number(spec.size ?? 10);
  const groups = new Map<string, Match[]>();
  for (const match of matches) {
    for (const value of keywordValues(match, String(spec.field))) {
      groups.set(value, [...(groups.get(value) ?? []), match]);
    }
  }
  const sorted = [...groups.entries()].sort(
    ([keyA, a], [keyB, b]) =>
      b.length - a.length ||
      Buffer.compare(Buffer.from(keyA), Buffer.from(keyB)),
  );
  const kept = sorted.slice(0, size);
  const other = sorted.slice(size).reduce((sum, [, m]) => sum + m.length, 0);
  return {
    doc_count_error_upper_bound: 0,
    sum_other_doc_count: other,
    buckets: kept.map(([key, members]) => ({
      key,
      doc_count: members.length,
      ...aggregate(members, sub),
    })),
  };
}

/**
 * Runs the `aggs` of a search over the matching documents. The fake
 * knows `date_histogram` with `fixed_interval` (buckets aligned to the
 * epoch in UTC, `date_nanos` read at millisecond resolution as
 * OpenSearch does) and `terms` on keyword fields, each with sub-aggs.
 */
export function aggregate(
  matches: Match[],
  aggs: Spec | undefined,
): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(aggs ?? {})) {
    const { aggs: sub, aggregations, ...kinds } = definition as Spec;
    const nested = (sub ?? aggregations) as Spec | undefined;
    const [kind, spec] = Object.entries(kinds)[0] ?? [];
    if (kind === 'date_histogram') {
      results[name] = dateHistogram(matches, spec as Spec, nested);
    } else if (kind === 'terms') {
      results[name] = terms(matches, spec as Spec, nested);
    } else {
      throw parsingError(
        `Unknown aggregation type [${kind}] did you mean [terms]?`,
      );
    }
  }
  return results;
}
