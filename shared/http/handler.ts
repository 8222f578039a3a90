import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { scopeOf } from '../auth/authorize.js';
import { allows, KEY_SCOPES, type KeyScope } from '../auth/keys.js';
import {
  ForbiddenError,
  NotFoundError,
  ObservatoryError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../errors.js';
import { MAX_RESPONSE_BYTES } from '../limits.js';
import type { RouteKey } from '../routes.js';
import { decodeBody } from './body.js';
import { toJson, wellFormedText } from './json.js';
import type { ApiRequest, ApiResponse, RouteAction } from './request.js';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

function lowerCaseKeys(
  record: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    if (value !== undefined) out[key.toLowerCase()] = value;
  }
  return out;
}

function decodeParams(
  record: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    if (value !== undefined) out[key] = safeDecode(value);
  }
  return out;
}

/**
 * URL-decodes a path parameter, keeping it as sent when it is not valid
 * percent-encoding. A lone UTF-16 surrogate becomes U+FFFD, as it does in
 * JSON bodies, because no store accepts it.
 */
function safeDecode(value: string): string {
  try {
    return wellFormedText(decodeURIComponent(value));
  } catch {
    return wellFormedText(value);
  }
}

function toApiRequest(event: Event, context: Context): ApiRequest {
  const headers = lowerCaseKeys(event.headers);
  const contentType = (headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  return {
    routeKey: event.routeKey as RouteKey,
    params: decodeParams(event.pathParameters),
    query: lowerCaseKeys(event.queryStringParameters),
    headers,
    contentType: contentType ?? '',
    body: decodeBody({ ...event, headers }),
    requestId: event.requestContext?.requestId ?? context.awsRequestId,
    event,
  };
}

/**
 * Headers on every response. `nosniff` stops a browser from reading a
 * JSON body that quotes user text (a log message with HTML) as a page.
 */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff' } as const;

/** Turns an {@link ApiResponse} into API Gateway's structured result. */
export function toResult(response: ApiResponse): Result {
  if (response.raw) {
    return {
      statusCode: response.status,
      headers: { ...response.headers, ...SECURITY_HEADERS },
      body: response.raw.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: response.status,
    headers: {
      'content-type': 'application/json',
      ...response.headers,
      ...SECURITY_HEADERS,
    },
    body: response.body === undefined ? '' : toJson(response.body),
  };
}

/**
 * Returns the size of a result's body as Lambda sends it: escaped once
 * more inside the result's JSON. Skips the work when even the worst case
 * (three UTF-8 bytes per character) fits the limit.
 */
function resultBytes(result: Result): number {
  const body = result.body ?? '';
  if (result.isBase64Encoded || body.length * 3 + 2 <= MAX_RESPONSE_BYTES) {
    return body.length;
  }
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

/**
 * Raises a 400 naming the limit when a response would not fit the Lambda
 * response limit, so the caller learns to narrow the query instead of
 * getting a failed invocation.
 */
export function checkResultSize(result: Result): Result {
  const bytes = resultBytes(result);
  if (bytes <= MAX_RESPONSE_BYTES) return result;
  const message =
    `the response would be ${bytes} bytes, above the limit of ` +
    `${MAX_RESPONSE_BYTES}; narrow the query with a shorter range, a ` +
    'smaller limit or more filters';
  throw new ValidationError(message, [{ path: '(response)', message }]);
}

/** Headers that tell the client when to retry a 503. */
export function retryHeaders(error: unknown): Record<string, string> {
  if (!(error instanceof ServiceUnavailableError)) return {};
  return { 'retry-after': String(error.retryAfterSeconds) };
}

/** Tells whether an error's message may go to the caller. */
function isExposed(error: unknown): error is ObservatoryError {
  if (!(error instanceof ObservatoryError)) return false;
  return error.status < 500 || error instanceof ServiceUnavailableError;
}

/** Builds the API's error body, with the request id the caller can quote. */
export function errorResponse(error: unknown, requestId: string): Result {
  if (isExposed(error)) {
    return toResult({
      status: error.status,
      headers: retryHeaders(error),
      body: {
        error: {
          code: error.code,
          message: error.message,
          details: error.details,
        },
        request_id: requestId,
      },
    });
  }
  return toResult({
    status: 500,
    body: {
      error: {
        code: 'internal_error',
        message: `internal error; quote request id ${requestId} when reporting it`,
        details: [],
      },
      request_id: requestId,
    },
  });
}

/**
 * Maps errors to the API's error body: an {@link ObservatoryError} below 500
 * keeps its message, and so does a 503 with its Retry-After header.
 * Anything else becomes a generic 500 with the request id. Errors of 500
 * and above are logged in full.
 */
function httpErrors(logger: Logger): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const error = request.error;
      const requestId =
        request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const status = error instanceof ObservatoryError ? error.status : 500;
      if (status >= 500) {
        logger.error('request failed', { error, request_id: requestId });
      } else {
        // `message` is a reserved key of the Powertools logger.
        logger.warn('request rejected', {
          status,
          reason: error?.message,
          request_id: requestId,
        });
      }
      request.response = errorResponse(error, requestId);
    },
  };
}

function grantedScopes(event: Event): KeyScope[] | undefined {
  const context = event.requestContext as {
    authorizer?: { lambda?: { scopes?: unknown } };
  };
  const scopes = context.authorizer?.lambda?.scopes;
  if (typeof scopes !== 'string') return undefined;
  return KEY_SCOPES.filter((scope) => scopes.split(',').includes(scope));
}

/**
 * Checks the scopes the authorizer granted against the route table, so a
 * key never reaches a route beyond its scopes even if the authorizer's
 * decision was cached for another route.
 */
function requireScope(): MiddlewareObj<Event, Result> {
  return {
    before: async (request) => {
      const required = scopeOf(request.event.routeKey);
      if (required === 'none') return;

      const granted = grantedScopes(request.event);
      if (!granted) throw new UnauthorizedError();
      if (!allows(granted, required)) throw new ForbiddenError(required);
    },
  };
}

export type RouteActions = Partial<Record<RouteKey, RouteAction>>;

/**
 * Builds the Lambda handler of one domain: it decodes the body, dispatches
 * on API Gateway's route key to the matching action and maps errors.
 */
export function createDomainHandler(actions: RouteActions, logger: Logger) {
  const dispatch = async (event: Event, context: Context): Promise<Result> => {
    const action = actions[event.routeKey as RouteKey];
    if (!action) {
      throw new NotFoundError(`no route ${event.routeKey} in this function`);
    }
    const response = await action(toApiRequest(event, context));
    return checkResultSize(toResult(response));
  };

  return (
    middy<Event, Result>()
      // The event carries the caller's API key in its headers, so it is
      // never logged, even when POWERTOOLS_LOGGER_LOG_EVENT is true.
      .use(injectLambdaContext(logger, { logEvent: false }))
      .use(httpErrors(logger))
      .use(requireScope())
      .handler(dispatch)
  );
}
