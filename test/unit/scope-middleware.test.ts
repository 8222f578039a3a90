import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createDomainHandler } from '#shared/http/handler.js';
import { createLogger } from '#shared/logger.js';

const logger = createLogger('test');
logger.setLogLevel('SILENT');

const handler = createDomainHandler(
  {
    'POST /api/observatory/logs/search': async () => ({
      status: 200,
      body: { ok: true },
    }),
  },
  logger,
);

function event(scopes?: string): APIGatewayProxyEventV2 {
  const authorizer = scopes === undefined ? undefined : { lambda: { scopes } };
  return {
    version: '2.0',
    routeKey: 'POST /api/observatory/logs/search',
    rawPath: '/api/observatory/logs/search',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', authorizer } as never,
  };
}

const context = { awsRequestId: 'r1' } as Context;

describe('handler scope check', () => {
  it.each([
    [undefined, 401],
    ['ingest', 403],
    ['ingest,admin', 403],
    ['read', 200],
  ])('answers scopes %s with %i', async (scopes, status) => {
    const result = await handler(event(scopes), context);

    expect(result.statusCode).toBe(status);
  });
});
