import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import { ObservatoryError, ServiceUnavailableError } from '#shared/errors.js';
import {
  createDomainHandler,
  retryHeaders,
  toResult,
} from '#shared/http/handler.js';
import type { ApiRequest, ApiResponse } from '#shared/http/request.js';
import {
  formatOf,
  type OtlpFormat,
  PROTOBUF_CONTENT_TYPE,
} from '#shared/otlp/codec.js';
import {
  exportOtlp,
  LOGS_EXPORT,
  METRICS_EXPORT,
  type SignalExport,
  TRACE_EXPORT,
} from '#shared/otlp/export.js';
import {
  encodeProtobufResponse,
  encodeProtobufStatus,
  exportResponse,
  type OtlpSignal,
  type PartialSuccess,
} from '#shared/otlp/protobuf.js';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/**
 * gRPC status codes: RESOURCE_EXHAUSTED for 413, UNAVAILABLE for 503,
 * else INVALID_ARGUMENT.
 */
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const INVALID_ARGUMENT = 3;

function grpcCodeOf(status: number): number {
  if (status === 413) return RESOURCE_EXHAUSTED;
  if (status === 503) return UNAVAILABLE;
  return INVALID_ARGUMENT;
}

function successResponse(
  signal: OtlpSignal,
  format: OtlpFormat,
  partial: PartialSuccess | undefined,
): ApiResponse {
  if (format === 'json') {
    return { status: 200, body: exportResponse(signal, partial) };
  }
  return {
    status: 200,
    raw: encodeProtobufResponse(signal, partial),
    headers: { 'content-type': PROTOBUF_CONTENT_TYPE },
  };
}

function exportAction<T>(deps: Deps, spec: SignalExport<T>) {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    const format = formatOf(request.contentType);
    const partial = await exportOtlp(deps, spec, format, request.body);
    return successResponse(spec.signal, format, partial);
  };
}

function isProtobufRequest(event: Event): boolean {
  const entry = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  const mediaType = (entry?.[1] ?? '').split(';')[0]?.trim().toLowerCase();
  return mediaType === PROTOBUF_CONTENT_TYPE;
}

/**
 * Turns a 4xx or 503 error of a protobuf request into a google.rpc.Status
 * body, as OTLP/HTTP specifies. It runs before the shared error middleware
 * and short-circuits it, so it logs the error itself. JSON requests and
 * other 5xx errors keep the API's JSON error body.
 */
function protobufErrors(logger: Logger): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const { error, event } = request;
      if (!(error instanceof ObservatoryError)) return;
      const retryable = error instanceof ServiceUnavailableError;
      if (error.status >= 500 && !retryable) return;
      if (!isProtobufRequest(event)) return;

      const requestId = event.requestContext?.requestId;
      if (retryable) {
        logger.error('request failed', { error, request_id: requestId });
      } else {
        // `message` is a reserved key of the Powertools logger.
        logger.warn('request rejected', {
          status: error.status,
          reason: error.message,
          request_id: requestId,
        });
      }
      return toResult({
        status: error.status,
        raw: encodeProtobufStatus(grpcCodeOf(error.status), error.message),
        headers: {
          'content-type': PROTOBUF_CONTENT_TYPE,
          ...retryHeaders(error),
        },
      });
    },
  };
}

/**
 * Builds the OTLP/HTTP handler: `/v1/traces`, `/v1/metrics` and `/v1/logs`
 * in protobuf or JSON (gzip is undone by the body decoder). It responds in
 * the request's encoding, with rejected items in `partialSuccess`.
 */
export function createOtlpHandler(deps: Deps) {
  return createDomainHandler(
    {
      'POST /v1/traces': exportAction(deps, TRACE_EXPORT),
      'POST /v1/metrics': exportAction(deps, METRICS_EXPORT),
      'POST /v1/logs': exportAction(deps, LOGS_EXPORT),
    },
    deps.logger,
  ).use(protobufErrors(deps.logger));
}

export const handler = lazyHandler('otlp', createOtlpHandler, [
  'metrics',
  'traces',
  'logs',
  'topology',
]);
