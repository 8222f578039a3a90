import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import {
  NotFoundError,
  ObservatoryError,
  ServiceUnavailableError,
  ValidationError,
} from '#shared/errors.js';
import { decodeBody } from '#shared/http/body.js';
import { toResult } from '#shared/http/handler.js';
import {
  type DeadLetterSink,
  deadLetterOf,
  deadLetterSinkOf,
  sendDeadLetters,
} from '#shared/streams/dead-letter.js';
import {
  checkAccessKey,
  FIREHOSE_ROUTE,
  type FirehoseRequest,
  firehoseRecords,
  firehoseResponseBody,
  parseFirehoseRequest,
} from '#shared/streams/firehose.js';
import {
  COMMON_ATTRIBUTES_HEADER,
  signalOfCommonAttributes,
} from '#shared/streams/format.js';
import {
  ingestStreamRecords,
  type RecordOutcome,
  summarizeOutcomes,
} from '#shared/streams/ingest.js';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface FirehoseOptions {
  /**
   * The destination of records that can never be stored in full.
   * @default the sink that the configuration sets up
   */
  deadLetters?: DeadLetterSink;
}

function lowerCaseHeaders(event: Event): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

function declaredSignal(headers: Record<string, string>) {
  try {
    return signalOfCommonAttributes(headers[COMMON_ATTRIBUTES_HEADER]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError(message, [
      { path: `headers.${COMMON_ATTRIBUTES_HEADER}`, message },
    ]);
  }
}

/**
 * Maps an error to the status and message of a Firehose error response.
 * Firehose retries on every status but 200, so the status matters only to
 * a person who reads Firehose's error log.
 */
function errorOf(error: unknown, requestId: string) {
  if (error instanceof ObservatoryError && error.status < 500) {
    return { status: error.status, message: error.message };
  }
  if (error instanceof ServiceUnavailableError) {
    return { status: 503, message: error.message };
  }
  return {
    status: 500,
    message: `internal error; quote request id ${requestId} when reporting it`,
  };
}

function logError(logger: Logger, error: unknown, requestId: string): void {
  const status = error instanceof ObservatoryError ? error.status : 500;
  if (status >= 500) {
    logger.error('Firehose delivery failed', { error, request_id: requestId });
  } else {
    logger.warn('Firehose delivery rejected', {
      status,
      reason: error instanceof Error ? error.message : String(error),
      request_id: requestId,
    });
  }
}

/**
 * Stores the records of one delivery request. A record that can never be
 * stored in full is logged, counted and sent to the dead-letter sink, and
 * the request still succeeds. Firehose retries a failed request whole, so
 * an error status for such a record would repeat the request until
 * Firehose gives up, while the other records are stored anyway.
 * Firehose's S3 backup keeps the requests that fail for good. A store
 * failure raises a 503, which Firehose retries, and ingest is idempotent,
 * so the retry stores nothing twice.
 */
async function deliver(
  deps: Deps,
  request: FirehoseRequest,
  headers: Record<string, string>,
  sink: DeadLetterSink,
): Promise<void> {
  const { records, invalid } = firehoseRecords(
    request,
    declaredSignal(headers),
  );
  const stored = await ingestStreamRecords(
    deps,
    records,
    deps.config.streams.logGroupServices,
  );
  const outcomes = [...invalid, ...stored];
  const withProblems = outcomes.filter(
    (outcome) => !outcome.retryReason && outcome.problems.length > 0,
  );
  const origin = { firehose_request_id: request.requestId };
  const unsent = await sendDeadLetters(
    withProblems,
    sink,
    deps.logger,
    (outcome: RecordOutcome) => deadLetterOf(outcome, 'firehose', origin),
  );
  deps.logger.info('Firehose delivery ingested', {
    request_id: request.requestId,
    ...summarizeOutcomes(outcomes),
  });
  const retry = outcomes.find((outcome) => outcome.retryReason);
  if (retry || unsent.length > 0) {
    throw new ServiceUnavailableError(
      `${retry?.retryReason ?? 'sending a dead letter failed'}; ` +
        'Firehose retries the request, which stores nothing twice',
    );
  }
}

/**
 * Builds the Firehose HTTP endpoint handler for `POST
 * /api/observatory/firehose`, following the delivery contract: the body
 * `{requestId, timestamp, records: [{data}]}` (gzip when Content-Encoding
 * is gzip), the key in `X-Amz-Firehose-Access-Key`, and a 200 with
 * `{requestId, timestamp}` only once the records are stored. Errors answer
 * `{requestId, timestamp, errorMessage}`: 401 for a missing or wrong key,
 * 400 for a body that is not the request, 413 for one too large, 503
 * when storing failed and 500 otherwise. The route checks its own key,
 * so the route table gives it scope `none`.
 */
export function createFirehoseHandler(
  deps: Deps,
  options: FirehoseOptions = {},
) {
  const sink = options.deadLetters ?? deadLetterSinkOf(deps.config);

  const handle = async (event: Event, context: Context): Promise<Result> => {
    const headers = lowerCaseHeaders(event);
    let requestId =
      headers['x-amz-firehose-request-id'] ??
      event.requestContext?.requestId ??
      context.awsRequestId;
    try {
      if (event.routeKey !== FIREHOSE_ROUTE) {
        throw new NotFoundError(`no route ${event.routeKey} in this function`);
      }
      checkAccessKey(
        headers['x-amz-firehose-access-key'],
        deps.config.streams.firehoseAccessKey,
      );
      const request = parseFirehoseRequest(decodeBody({ ...event, headers }));
      requestId = request.requestId;
      await deliver(deps, request, headers, sink);
      const body = firehoseResponseBody(requestId, deps.clock.now());
      return toResult({ status: 200, body });
    } catch (error) {
      logError(deps.logger, error, requestId);
      const { status, message } = errorOf(error, requestId);
      const body = firehoseResponseBody(requestId, deps.clock.now(), message);
      return toResult({ status, body });
    }
  };

  return middy<Event, Result>(handle).use(
    // The event carries the access key in its headers, so it is never
    // logged, whatever the value of POWERTOOLS_LOGGER_LOG_EVENT.
    injectLambdaContext(deps.logger, { logEvent: false }),
  );
}

export const handler = lazyHandler('firehose', createFirehoseHandler, [
  'metrics',
  'traces',
  'logs',
  'topology',
]);
