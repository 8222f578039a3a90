import { aggregate, type Match } from './aggregations.js';
import { parseDateValue } from './dates.js';
import {
  FakeOpenSearchError,
  fakeError,
  illegalArgument,
  searchPhaseError,
} from './errors.js';
import {
  DEFAULT_DATE_FORMAT,
  type FakeIndex,
  matchesPattern,
  resolveField,
  valuesAt,
} from './mapping.js';
import { matches } from './query.js';

/** OpenSearch's default `index.max_result_window`. */
export const MAX_RESULT_WINDOW = 10_000;

type SortValue = bigint | number | string | null;

interface SortKey {
  field: string;
  descending: boolean;
}

/**
 * Resolves a comma-separated index expression. A missing concrete name
 * is a 404 unless `ignore_unavailable=true`; no index at all is a 404
 * only when `allow_no_indices=false`.
 */
export function resolveIndices(
  indices: Map<string, FakeIndex>,
  expression: string,
  params: URLSearchParams,
): FakeIndex[] {
  const ignoreUnavailable = params.get('ignore_unavailable') === 'true';
  const allowNoIndices = params.get('allow_no_indices') !== 'false';
  const found = new Map<string, FakeIndex>();
  for (const name of expression.split(',')) {
    if (name.includes('*')) {
      for (const index of indices.values()) {
        if (matchesPattern(name, index.name)) found.set(index.name, index);
      }
      continue;
    }
    const index = indices.get(name);
    if (index) found.set(name, index);
    else if (!ignoreUnavailable) {
      throw fakeError(
        404,
        'index_not_found_exception',
        `no such index [${name}]`,
        {
          'resource.type': 'index_or_alias',
          'resource.id': name,
          index: name,
        },
      );
    }
  }
  if (found.size === 0 && !allowNoIndices) {
    throw fakeError(
      404,
      'index_not_found_exception',
      `no such index [${expression}]`,
    );
  }
  return [...found.values()];
}

function sortKeysOf(sort: unknown): SortKey[] {
  let entries: unknown[] = [];
  if (Array.isArray(sort)) entries = sort;
  else if (sort) entries = [sort];
  return entries.map((entry) => {
    if (typeof entry === 'string') return { field: entry, descending: false };
    const [field, spec] = Object.entries(entry as object)[0] ?? ['', {}];
    const order =
      typeof spec === 'string' ? spec : (spec as { order?: string }).order;
    return { field, descending: order === 'desc' };
  });
}

/** Raises, as each shard does, when a sort field has no doc values. */
function checkSortable(index: FakeIndex, field: string): void {
  const type = resolveField(index, field)?.mapping.type;
  const docValues = resolveField(index, field)?.mapping.doc_values;
  if (type === 'text' || type === 'flat_object' || docValues === false) {
    throw illegalArgument(
      'Text fields are not optimised for operations that require ' +
        'per-document field data like aggregations and sorting; ' +
        `[${field}] is [${type}]`,
    );
  }
}

function sortValueOf(
  index: FakeIndex,
  source: Record<string, unknown>,
  field: string,
): SortValue {
  const resolved = resolveField(index, field);
  if (!resolved) return null;
  const type = resolved.mapping.type;
  const [value] = valuesAt(source, resolved.sourcePath);
  if (value === undefined) return null;
  if (type === 'date' || type === 'date_nanos') {
    return (
      parseDateValue(value, resolved.mapping.format ?? DEFAULT_DATE_FORMAT) ??
      null
    );
  }
  if (type === 'keyword') return String(value);
  return Number(value);
}

/** Converts a `search_after` value as OpenSearch does for the field. */
function afterValueOf(
  index: FakeIndex,
  field: string,
  value: unknown,
): SortValue {
  const resolved = resolveField(index, field);
  const type = resolved?.mapping.type;
  if (type === 'date' || type === 'date_nanos') {
    if (typeof value === 'bigint' || typeof value === 'number')
      return BigInt(value);
    const format = resolved?.mapping.format ?? DEFAULT_DATE_FORMAT;
    const nanos = parseDateValue(value, format);
    if (nanos === undefined) {
      throw illegalArgument(
        `Failed to parse search_after value for field [${field}].`,
      );
    }
    return nanos;
  }
  return value === null
    ? null
    : typeof value === 'number'
      ? value
      : String(value);
}

/** Orders values as Lucene does: keywords by UTF-8 bytes, missing last. */
function compareValues(a: SortValue, b: SortValue): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'string' && typeof b === 'string') {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function compareRows(keys: SortKey[], a: SortValue[], b: SortValue[]): number {
  for (const [position, key] of keys.entries()) {
    const order = compareValues(a[position] ?? null, b[position] ?? null);
    if (order !== 0) return key.descending ? -order : order;
  }
  return 0;
}

interface Row extends Match {
  sort: SortValue[];
}

function hitOf(row: Row, sorted: boolean) {
  const hit: Record<string, unknown> = {
    _index: row.index.name,
    _id: row.document.id,
    _score: sorted ? null : 1,
    _source: row.document.source,
  };
  if (sorted) hit.sort = row.sort;
  return hit;
}

function checkWindow(from: number, size: number): void {
  if (from + size > MAX_RESULT_WINDOW) {
    throw illegalArgument(
      `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${from + size}].`,
    );
  }
}

function runSearch(targets: FakeIndex[], body: Record<string, unknown>) {
  const size = Number(body.size ?? 10);
  const from = Number(body.from ?? 0);
  checkWindow(from, size);
  const keys = sortKeysOf(body.sort);
  const query = body.query ?? { match_all: {} };

  const rows: Row[] = [];
  for (const index of targets) {
    for (const key of keys) checkSortable(index, key.field);
    for (const document of index.documents.values()) {
      if (!matches(index, document.source, query)) continue;
      const sort = keys.map((key) =>
        sortValueOf(index, document.source, key.field),
      );
      rows.push({ index, document, sort });
    }
  }
  rows.sort((a, b) => compareRows(keys, a.sort, b.sort));

  let page = rows;
  const after = body.search_after as unknown[] | undefined;
  if (after !== undefined) {
    if (after.length !== keys.length) {
      throw illegalArgument(
        `search_after has ${after.length} value(s) but sort has ${keys.length}.`,
      );
    }
    const [first] = targets;
    const bound = first
      ? keys.map((key, i) => afterValueOf(first, key.field, after[i]))
      : [];
    page = rows.filter((row) => compareRows(keys, row.sort, bound) > 0);
  }

  const result: Record<string, unknown> = {
    took: 1,
    timed_out: false,
    _shards: {
      total: targets.length,
      successful: targets.length,
      skipped: 0,
      failed: 0,
    },
    hits: {
      ...(body.track_total_hits === false
        ? {}
        : { total: { value: rows.length, relation: 'eq' } }),
      max_score: keys.length > 0 ? null : 1,
      hits: page
        .slice(from, from + size)
        .map((row) => hitOf(row, keys.length > 0)),
    },
  };
  if (body.aggs ?? body.aggregations) {
    result.aggregations = aggregate(
      rows,
      (body.aggs ?? body.aggregations) as Record<string, unknown>,
    );
  }
  return result;
}

/**
 * Runs `_search` over the resolved indices: the query, `sort`,
 * `search_after`, `from`, `size` and `aggs`. Errors raised while a shard
 * runs the query come back wrapped as search_phase_execution_exception.
 */
export function search(targets: FakeIndex[], body: Record<string, unknown>) {
  try {
    return runSearch(targets, body);
  } catch (error) {
    // A query OpenSearch cannot parse fails before any shard runs.
    const shardFailure =
      error instanceof FakeOpenSearchError &&
      error.status === 400 &&
      error.detail.type !== 'parsing_exception';
    if (shardFailure) {
      throw searchPhaseError(error as FakeOpenSearchError);
    }
    throw error;
  }
}
