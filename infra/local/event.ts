import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { RouteMatch } from '#shared/http/route-match.js';
import { routeKey } from '#shared/routes.js';

/** Media types API Gateway passes as text; everything else is base64. */
const TEXT_TYPES = [
  /^application\/json/,
  /^text\//,
  /^application\/.*\+json/,
  /^application\/x-ndjson/,
];

function isTextBody(headers: Record<string, string>): boolean {
  if ((headers['content-encoding'] ?? '') !== '') return false;
  const type = (headers['content-type'] ?? '').toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value)
      ? value.join(',')
      : value;
  }
  return headers;
}

/**
 * Builds the API Gateway HTTP API (payload format 2.0) event that API
 * Gateway would send to Lambda for this request.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  match: RouteMatch,
  body: Buffer,
  requestId: string = randomUUID(),
): APIGatewayProxyEventV2 {
  const headers = flattenHeaders(request);
  const text = isTextBody(headers);
  const now = Date.now();
  const key = routeKey(match.route);
  const query = Object.fromEntries(url.searchParams.entries());
  const rawPathParameters = Object.fromEntries(
    Object.entries(match.params).map(([name, value]) => [
      name,
      encodeURIComponent(value),
    ]),
  );

  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(match.params).length
      ? rawPathParameters
      : undefined,
    body: body.length ? body.toString(text ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: body.length > 0 && !text,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: key,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
}

/** Builds a Lambda context for a local invocation. */
export function localContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
