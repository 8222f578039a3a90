import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { authorize, scopeOf } from '#shared/auth/authorize.js';
import { KEY_CACHE_TTL_MS, KeyVerifier } from '#shared/auth/verifier.js';
import type { Deps, HttpHandler } from '#shared/deps.js';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '#shared/errors.js';
import { errorResponse } from '#shared/http/handler.js';
import { matchRoute } from '#shared/http/route-match.js';
import { MAX_WIRE_BODY_BYTES } from '#shared/limits.js';
import type { Domain } from '#shared/routes.js';
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
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WIRE_BODY_BYTES) {
        reject(
          new PayloadTooLargeError(
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

function send(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
): void {
  const body = result.body ?? '';
  const payload = result.isBase64Encoded
    ? Buffer.from(body, 'base64')
    : Buffer.from(body, 'utf8');
  response.writeHead(result.statusCode ?? 200, {
    ...result.headers,
    'content-length': payload.length,
  });
  response.end(payload);
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
  return handlers[match.route.domain](event, context);
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

  const server = createServer((request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const requestId = crypto.randomUUID();

    handle(handlers, verifier, request, url, requestId)
      .catch((error: unknown) => {
        request.resume();
        if (!(error instanceof Error && 'status' in error)) {
          accessLog.error('local server failed', { error });
        }
        return errorResponse(error, requestId);
      })
      .then((result) => {
        send(response, result);
        accessLog.info('request', {
          method: request.method,
          path: url.pathname,
          status: result.statusCode,
          request_id: requestId,
          duration_ms: Math.round(performance.now() - started),
        });
      });
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
