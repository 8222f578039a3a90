import { fakeError } from './errors.js';
import {
  createIndex,
  type FakeIndex,
  type IndexTemplate,
  templateFor,
} from './mapping.js';

/** Everything the fake cluster stores. */
export interface FakeState {
  templates: Map<string, IndexTemplate>;
  indices: Map<string, FakeIndex>;
  /** Items of the coming `_bulk` requests to answer with an item 429. */
  itemRejections: number;
}

export function emptyState(): FakeState {
  return { templates: new Map(), indices: new Map(), itemRejections: 0 };
}

/** Checks a new index name against OpenSearch's rules for names. */
function checkIndexName(name: string): void {
  const problem =
    name !== name.toLowerCase()
      ? 'must be lowercase'
      : /^[-_+]/.test(name)
        ? "must not start with '_', '-', or '+'"
        : /[\\/*?"<>| ,#:]/.test(name)
          ? 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'
          : undefined;
  if (problem) {
    throw fakeError(
      400,
      'invalid_index_name_exception',
      `Invalid index name [${name}], ${problem}`,
      {
        index: name,
      },
    );
  }
}

/**
 * Returns the index, creating it on first write from the matching index
 * template with the highest priority, or with dynamic mapping when no
 * template matches (OpenSearch's `action.auto_create_index` default).
 */
export function indexForWrite(state: FakeState, name: string): FakeIndex {
  const existing = state.indices.get(name);
  if (existing) return existing;
  checkIndexName(name);
  const index = createIndex(name, templateFor(state.templates, name)?.template);
  state.indices.set(name, index);
  return index;
}

/**
 * Stores an index template after checking that an index could be made
 * from it, as `PUT _index_template/<name>` does.
 */
export function putTemplate(
  state: FakeState,
  name: string,
  body: unknown,
): void {
  const template = body as IndexTemplate;
  const patterns = template?.index_patterns;
  const valid =
    Array.isArray(patterns) &&
    patterns.length > 0 &&
    patterns.every((pattern) => typeof pattern === 'string');
  if (!valid) {
    throw fakeError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: index patterns are missing;',
    );
  }
  createIndex(`${name}-validation`, template.template);
  state.templates.set(name, template);
}
