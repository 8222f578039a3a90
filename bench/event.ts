import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localContext } from '#infra/local/event.js';
import type { WireRequest } from './data/wire.js';
import { BENCH_ADMIN_KEY } from './server.js';

type Method = 'GET' | 'POST';

/**
 * Builds the API Gateway (payload format 2.0) event of a request as API
 * Gateway would pass it after the authorizer allowed every scope.
 */
function apiEvent(
  method: Method,
  path: string,
  headers: Record<string, string>,
): APIGatewayProxyEventV2 {
  const routeKey = `${method} ${path}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { ...headers, 'x-api-key': BENCH_ADMIN_KEY },
    isBase64Encoded: false,
    requestContext: {
      accountId: 'bench',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'observatory-bench',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      authorizer: {
        lambda: { key_id: 'bench', scopes: 'ingest,read,admin' },
      },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** Builds the event of a GET of `path`, a route without parameters. */
export function getEvent(path: string): APIGatewayProxyEventV2 {
  return apiEvent('GET', path, {});
}

/**
 * Builds the event of a POST of `wire`. Binary or compressed bodies are
 * base64, as API Gateway sends them.
 */
export function postEvent(wire: WireRequest): APIGatewayProxyEventV2 {
  const text =
    wire.headers['content-type'] === 'application/json' &&
    wire.headers['content-encoding'] === undefined;
  const headers = {
    ...wire.headers,
    'content-length': String(wire.body.length),
  };
  return {
    ...apiEvent('POST', wire.path, headers),
    body: wire.body.toString(text ? 'utf8' : 'base64'),
    isBase64Encoded: !text,
  };
}

/** Builds a Lambda context for one in-process invocation. */
export function benchContext(functionName: string) {
  return localContext(functionName, randomUUID());
}
