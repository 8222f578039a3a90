import { describe, expect, it } from 'vitest';
import { ObservatoryError } from '#shared/errors.js';
import { matchRoute } from '#shared/http/route-match.js';
import { ROUTES, routeKey } from '#shared/routes.js';

function statusOf(method: string, path: string): number {
  try {
    matchRoute(method, path);
    return 200;
  } catch (error) {
    return error instanceof ObservatoryError ? error.status : 500;
  }
}

describe('route table', () => {
  it('declares each method and path once', () => {
    const keys = ROUTES.map(routeKey);

    expect(new Set(keys).size).toBe(keys.length);
  });

  it('prefers literal segments over parameters', () => {
    const match = matchRoute('GET', '/api/observatory/traces/service/checkout');

    expect(match.route.path).toBe(
      '/api/observatory/traces/service/{service_id}',
    );
    expect(match.params).toEqual({ service_id: 'checkout' });
  });

  it('decodes URL-encoded path parameters', () => {
    const match = matchRoute(
      'GET',
      '/api/observatory/traces/service/a%2Fb%20c',
    );

    expect(match.params.service_id).toBe('a/b c');
  });

  it.each([
    ['GET', '/nope', 404],
    ['GET', '/api/observatory/metrics/ingest', 405],
    ['DELETE', '/health', 405],
    ['GET', '/health', 200],
  ])('answers %s %s with %i', (method, path, status) => {
    expect(statusOf(method, path)).toBe(status);
  });
});
