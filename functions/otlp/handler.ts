import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import { ObservatoryError } from '#shared/errors.js';
import { createDomainHandler } from '#shared/http/handler.js';
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

/** The gRPC status code INVALID_ARGUMENT, for google.rpc.Status bodies. */
const INVALID_ARGUMENT = 3;

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

/**
 * Responds to a rejected protobuf request with a google.rpc.Status body, as
 * OTLP/HTTP specifies; JSON requests get the API's JSON error body from
 * the error middleware.
 */
function protobufError(error: ObservatoryError, deps: Deps): ApiResponse {
  deps.logger.warn('OTLP request rejected', {
    status: error.status,
    message: error.message,
  });
  return {
    status: error.status,
    raw: encodeProtobufStatus(INVALID_ARGUMENT, error.message),
    headers: { 'content-type': PROTOBUF_CONTENT_TYPE },
  };
}

function exportAction<T>(deps: Deps, spec: SignalExport<T>) {
  return async (request: ApiRequest): Promise<ApiResponse> => {
    const format = formatOf(request.contentType);
    try {
      const partial = await exportOtlp(deps, spec, format, request.body);
      return successResponse(spec.signal, format, partial);
    } catch (error) {
      const rejected = error instanceof ObservatoryError && error.status < 500;
      if (format === 'protobuf' && rejected) return protobufError(error, deps);
      throw error;
    }
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
  );
}

export const handler = lazyHandler('otlp', createOtlpHandler);
