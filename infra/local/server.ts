import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { authorize, scopeOf } from '#shared/auth/authorize.js';
import { KEY_CACHE_TTL_MS, KeyVerifier } from '#shared/auth/verifier.js';
import type { Deps, HttpHandler } from '#shared/deps.js';
import {
  ForbiddenError,
  ObservatoryError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '#shared/errors.js';
import { errorResponse } from '#shared/http/handler.js';
import { matchRoute } from '#shared/http/route-match.js';
import { MAX_WIRE_BODY_BYTES } from '#shared/limits.js';
import type { Domain, RouteKey } from '#shared/routes.js';
import { localContext, toApiGatewayEvent } from './event.js';
import { buildHandlers } from './handlers.js';

export interface LocalServer {
  /** Base URL, such as `http://127.0.0.1:8036`. */
  url: string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  deps: Deps;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /**
   * How long a key lookup is cached, as the Lambda authorizer does.
   * @default KEY_CACHE_TTL_MS
   */
  keyCacheTtlMs?: number;
  /**
   * How long a client may take to send a whole request, headers and body,
   * before the connection is closed, so a client that sends a byte at a
   * time cannot hold a connection open.
   * @default REQUEST_TIMEOUT_MS
   */
  requestTimeoutMs?: number;
}

/** API Gateway's integration timeout, which bounds a request on AWS. */
export const REQUEST_TIMEOUT_MS = 30_000;

const KEY_REVOCATION: RouteKey = 'DELETE /api/observatory/keys/{key_id}';

/** Raised when a body passes the wire limit; the connection then closes. */
class BodyTooLargeError extends PayloadTooLargeError {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WIRE_BODY_BYTES) {
        reject(
          new BodyTooLargeError(
            `request body exceeds the limit of ${MAX_WIRE_BODY_BYTES} ` +
              'bytes; send smaller batches',
          ),
        );
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Writes a result. `close` ends the connection after it, for a request
 * whose body was not read to the end.
 */
function send(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  close: boolean,
): void {
  const body = result.body ?? '';
  const payload = result.isBase64Encoded
    ? Buffer.from(body, 'base64')
    : Buffer.from(body, 'utf8');
  response.writeHead(result.statusCode ?? 200, {
    ...result.headers,
    'content-length': payload.length,
    ...(close ? { connection: 'close' } : {}),
  });
  response.end(payload);
}

/** Statuses for the errors Node's HTTP parser raises before a request. */
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request headers are too large; send less'],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'request timed out before it was received whole; send it faster',
  ],
};

/**
 * Responds to a request Node could not parse (oversized headers, bad syntax,
 * a client too slow to send it) with the API's JSON error body and
 * headers, in place of Node's bare status line, then closes the socket.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'request is not valid HTTP/1.1',
  ];
  const body = JSON.stringify({
    error: { code: 'invalid_request', message, details: [] },
    request_id: null,
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json\r\n' +
      'x-content-type-options: nosniff\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Logs a request the server ended itself: a rejection (no route, no key,
 * a body too large) with its reason, anything else as a failure. Neither
 * log line contains the key the request carried.
 */
function logFailure(log: Logger, error: unknown, requestId: string): void {
  if (error instanceof ObservatoryError && error.status < 500) {
    log.warn('request rejected', {
      status: error.status,
      reason: error.message,
      request_id: requestId,
    });
    return;
  }
  log.error('local server failed', { error, request_id: requestId });
}

/** Parses the request target, raising a 400 where URL parsing fails. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    const message = 'is not a valid URL path; send an absolute path';
    throw new ValidationError(`invalid request target: ${message}`, [
      { path: 'url', message },
    ]);
  }
}

/**
 * Runs the authorizer as API Gateway would before the integration, and
 * passes its context on in `requestContext.authorizer.lambda`.
 */
async function authorizeEvent(
  verifier: KeyVerifier,
  event: APIGatewayProxyEventV2,
): Promise<void> {
  const decision = await authorize(verifier, event.routeKey, event.headers);
  if (decision.effect === 'unauthorized') throw new UnauthorizedError();
  if (decision.effect === 'forbidden') {
    throw new ForbiddenError(scopeOf(event.routeKey));
  }
  const lambda = {
    key_id: decision.keyId ?? '',
    scopes: decision.scopes.join(','),
  };
  Object.assign(event.requestContext, { authorizer: { lambda } });
}

async function handle(
  handlers: Record<Domain, HttpHandler>,
  verifier: KeyVerifier,
  request: IncomingMessage,
  url: URL,
  requestId: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const match = matchRoute(request.method ?? 'GET', url.pathname);
  const body = await readBody(request);
  const event = toApiGatewayEvent(request, url, match, body, requestId);
  await authorizeEvent(verifier, event);
  const context = localContext(
    `observatory-${match.route.domain}`,
    event.requestContext.requestId,
  );
  const result = await handlers[match.route.domain](event, context);
  // The revoking process drops its cached lookup, so the key stops
  // working here at once rather than when the cache entry expires.
  if (event.routeKey === KEY_REVOCATION && result.statusCode === 200) {
    verifier.forget(match.params.key_id ?? '');
  }
  return result;
}

/** Dependencies of request serving, shared by every request. */
interface ServerContext {
  handlers: Record<Domain, HttpHandler>;
  verifier: KeyVerifier;
  log: Logger;
}

/**
 * Runs one request to its result. An error becomes the API's error body;
 * `close` is set when the body was not read to the end.
 */
async function resultOf(
  context: ServerContext,
  request: IncomingMessage,
  requestId: string,
) {
  let path = request.url ?? '/';
  try {
    const url = requestUrl(request.url);
    path = url.pathname;
    const { handlers, verifier } = context;
    const result = await handle(handlers, verifier, request, url, requestId);
    return { result, path, close: false };
  } catch (error: unknown) {
    request.resume();
    logFailure(context.log, error, requestId);
    const result = errorResponse(error, requestId);
    return { result, path, close: error instanceof BodyTooLargeError };
  }
}

/** Serves one request and writes its access log line. */
async function serveRequest(
  context: ServerContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const requestId = crypto.randomUUID();
  const { result, path, close } = await resultOf(context, request, requestId);
  try {
    send(response, result, close);
  } catch (error) {
    context.log.error('sending the response failed', {
      error,
      request_id: requestId,
    });
    response.destroy();
  }
  context.log.info('request', {
    method: request.method,
    path,
    status: result.statusCode,
    request_id: requestId,
    duration_ms: Math.round(performance.now() - started),
  });
}

/**
 * Starts the local Observatory: each HTTP request becomes the API Gateway
 * event that AWS would build and goes to the same handler Lambda runs.
 */
export async function startLocalServer(
  options: LocalServerOptions,
): Promise<LocalServer> {
  const { deps } = options;
  const handlers = buildHandlers(deps);
  // The handlers' logger carries the last invocation's Lambda context, so
  // the access log gets a child of its own.
  const accessLog = deps.logger.createChild();
  const verifier = new KeyVerifier(
    deps.stores.config,
    deps.clock,
    options.keyCacheTtlMs ?? KEY_CACHE_TTL_MS,
  );

  const serve = (request: IncomingMessage, response: ServerResponse) =>
    serveRequest({ handlers, verifier, log: accessLog }, request, response);

  const timeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const server = createServer(
    {
      requestTimeout: timeout,
      headersTimeout: timeout,
      // Node checks the timeouts above at this interval.
      connectionsCheckingInterval: Math.min(timeout, 1_000),
    },
    (request, response) => void serve(request, response),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    accessLog.warn('request rejected by the HTTP parser', {
      code: error.code,
    });
    answerClientError(error, socket);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) =>
    server.listen(options.port, host, resolve),
  );
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
