import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

function authorizerEvent(): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/x',
    identitySource: [],
    routeKey: 'POST /api/observatory/metrics/query',
    rawPath: '/api/observatory/metrics/query',
    rawQueryString: '',
    headers: {},
    cookies: [],
    requestContext: {} as never,
  };
}

describe('authorizer Lambda handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('starts with only the config table set under STORAGE=aws', async () => {
    vi.stubEnv('STORAGE', 'aws');
    vi.stubEnv('OBSERVATORY_CONFIG_TABLE', 'observatory-config');
    const { handler } = await import('#functions/authorizer/handler.js');

    // No key means no store read, so the answer depends only on cold start.
    await expect(handler(authorizerEvent())).rejects.toThrow('Unauthorized');
  });
});
