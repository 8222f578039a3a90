/** One error object as OpenSearch writes it inside `error`. */
export interface ErrorCause {
  type: string;
  reason: string;
  [extra: string]: unknown;
}

/**
 * An error the fake responds with. `detail` is the `error` object; for a
 * search that failed on every shard it wraps the shard's own error, as
 * OpenSearch's `search_phase_execution_exception` does.
 */
export class FakeOpenSearchError extends Error {
  constructor(
    readonly status: number,
    readonly detail: ErrorCause,
  ) {
    super(detail.reason);
  }
}

/** Builds an error with one cause. */
export function fakeError(
  status: number,
  type: string,
  reason: string,
  extra: Record<string, unknown> = {},
): FakeOpenSearchError {
  return new FakeOpenSearchError(status, { type, reason, ...extra });
}

/**
 * OpenSearch's error body: the error with its `root_cause` list, and the
 * HTTP status repeated as `status`.
 */
export function errorBody(error: FakeOpenSearchError): unknown {
  const cause = error.detail;
  const inner = cause.caused_by as ErrorCause | undefined;
  const root = inner ?? { type: cause.type, reason: cause.reason };
  return {
    error: { root_cause: [root], ...cause },
    status: error.status,
  };
}

/** Builds a 400 `parsing_exception`, for a query the fake cannot read. */
export function parsingError(reason: string): FakeOpenSearchError {
  return fakeError(400, 'parsing_exception', reason);
}

/** Builds a 400 `illegal_argument_exception`. */
export function illegalArgument(reason: string): FakeOpenSearchError {
  return fakeError(400, 'illegal_argument_exception', reason);
}

/**
 * Wraps a shard-level failure of a search the way OpenSearch reports it
 * when every shard failed.
 */
export function searchPhaseError(
  inner: FakeOpenSearchError,
): FakeOpenSearchError {
  return fakeError(
    inner.status,
    'search_phase_execution_exception',
    'all shards failed',
    {
      phase: 'query',
      grouped: true,
      caused_by: inner.detail,
    },
  );
}
