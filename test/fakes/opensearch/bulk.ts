import { randomBytes } from 'node:crypto';
import { parseJsonExact } from '#shared/http/json.js';
import {
  type ErrorCause,
  FakeOpenSearchError,
  fakeError,
  illegalArgument,
} from './errors.js';
import { parseDocument } from './parse-document.js';
import { type FakeState, indexForWrite } from './state.js';

/** OpenSearch's limit on a document id, in UTF-8 bytes. */
const MAX_ID_BYTES = 512;

const OP_TYPES = ['create', 'index', 'update', 'delete'];

interface Operation {
  type: 'create' | 'index';
  index: string;
  id: string | undefined;
  source: string;
}

function validationError(problems: string[]): FakeOpenSearchError {
  const list = problems.map((problem, i) => `${i + 1}: ${problem};`).join('');
  return fakeError(
    400,
    'action_request_validation_exception',
    `Validation Failed: ${list}`,
  );
}

function readAction(
  line: string,
  number: number,
): [string, Record<string, unknown>] {
  let action: unknown;
  try {
    action = JSON.parse(line);
  } catch {
    throw illegalArgument(
      `Malformed action/metadata line [${number}], expected START_OBJECT`,
    );
  }
  const [entry] = Object.entries((action ?? {}) as object);
  if (!entry || !OP_TYPES.includes(entry[0])) {
    throw illegalArgument(
      `Malformed action/metadata line [${number}], expected one of [create, delete, index, update] but found [${entry?.[0]}]`,
    );
  }
  return [entry[0], (entry[1] ?? {}) as Record<string, unknown>];
}

/** Splits an NDJSON body into operations, checking it as a whole. */
function parseOperations(
  text: string,
  pathIndex: string | undefined,
): Operation[] {
  if (text.length > 0 && !text.endsWith('\n')) {
    throw illegalArgument(
      'The bulk request must be terminated by a newline [\\n]',
    );
  }
  const lines = text.split('\n').slice(0, -1);
  const operations: Operation[] = [];
  for (let number = 0; number < lines.length; number += 1) {
    const line = lines[number] ?? '';
    if (line.trim() === '') continue;
    const [type, meta] = readAction(line, number + 1);
    if (type !== 'create' && type !== 'index') {
      throw illegalArgument(
        `the fake implements create and index, not [${type}]`,
      );
    }
    number += 1;
    const index = (meta._index as string | undefined) ?? pathIndex ?? '';
    const id = meta._id === undefined ? undefined : String(meta._id);
    operations.push({ type, index, id, source: lines[number] ?? '' });
  }
  return operations;
}

function validate(operations: Operation[]): void {
  const problems: string[] = [];
  if (operations.length === 0) problems.push('no requests added');
  for (const operation of operations) {
    if (!operation.index) problems.push('index is missing');
    const bytes = Buffer.byteLength(operation.id ?? '');
    if (bytes > MAX_ID_BYTES) {
      problems.push(
        `id [${operation.id}] is too long, must be no longer than ${MAX_ID_BYTES} bytes but was: ${bytes}`,
      );
    }
  }
  if (problems.length > 0) throw validationError(problems);
}

function failedItem(
  operation: Operation,
  id: string,
  status: number,
  error: ErrorCause,
) {
  return {
    [operation.type]: { _index: operation.index, _id: id, status, error },
  };
}

function conflict(operation: Operation, id: string) {
  return failedItem(operation, id, 409, {
    type: 'version_conflict_engine_exception',
    reason: `[${id}]: version conflict, document already exists (current version [1])`,
    index: operation.index,
    shard: '0',
  });
}

function execute(state: FakeState, operation: Operation) {
  const id = operation.id ?? randomBytes(15).toString('base64url');
  if (state.itemRejections > 0) {
    state.itemRejections -= 1;
    return failedItem(operation, id, 429, {
      type: 'rejected_execution_exception',
      reason: 'rejected execution of primary operation [write queue full]',
    });
  }
  try {
    const index = indexForWrite(state, operation.index);
    const previous = index.documents.get(id);
    if (previous && operation.type === 'create') return conflict(operation, id);

    let source: unknown;
    try {
      source = parseJsonExact(operation.source);
    } catch {
      throw fakeError(400, 'mapper_parsing_exception', 'failed to parse');
    }
    parseDocument(index, source, id);
    const version = (previous?.version ?? 0) + 1;
    const seqNo = index.nextSeqNo++;
    index.documents.set(id, {
      id,
      source: source as Record<string, unknown>,
      version,
      seqNo,
    });
    return {
      [operation.type]: {
        _index: operation.index,
        _id: id,
        _version: version,
        result: previous ? 'updated' : 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: seqNo,
        _primary_term: 1,
        status: previous ? 200 : 201,
      },
    };
  } catch (error) {
    if (!(error instanceof FakeOpenSearchError)) throw error;
    return failedItem(operation, id, error.status, error.detail);
  }
}

/**
 * Answers `_bulk`: each `create` or `index` operation runs in order and
 * gets its own result with `status` and, on failure, `error`. `errors`
 * is true when any item failed. A request that is not valid as a whole
 * (no newline at the end, no operations, an id above 512 bytes, no
 * index) fails with 400 before any item runs, as OpenSearch does.
 */
export function bulk(state: FakeState, text: string, pathIndex?: string) {
  const operations = parseOperations(text, pathIndex);
  validate(operations);
  const items = operations.map((operation) => execute(state, operation));
  const errors = items.some(
    (item) => 'error' in (Object.values(item)[0] ?? {}),
  );
  return { took: 1, errors, items };
}
