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
  UnauthorizedError,
} from '../errors.js';
import type { RouteKey } from '../routes.js';
import { decodeBody } from './body.js';
import { toJson } from './json.js';
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

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
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

/** Turns an {@link ApiResponse} into API Gateway's structured result. */
export function toResult(response: ApiResponse): Result {
  if (response.raw) {
    return {
      statusCode: response.status,
      headers: response.headers,
      body: response.raw.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: response.status,
    headers: { 'content-type': 'application/json', ...response.headers },
    body: response.body === undefined ? '' : toJson(response.body),
  };
}

/** The error body of the API, with the request id the caller can quote. */
export function errorResponse(error: unknown, requestId: string): Result {
  if (error instanceof ObservatoryError && error.status < 500) {
    return toResult({
      status: error.status,
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
 * keeps its message; anything else becomes a generic 500 with the request
 * id, and is logged in full.
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
        logger.warn('request rejected', {
          status,
          message: error?.message,
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
 * answer was cached for another route.
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
    return toResult(response);
  };

  return middy<Event, Result>()
    .use(injectLambdaContext(logger))
    .use(httpErrors(logger))
    .use(requireScope())
    .handler(dispatch);
}
