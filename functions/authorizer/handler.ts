import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { authorize } from '#shared/auth/authorize.js';
import { KeyVerifier } from '#shared/auth/verifier.js';
import { systemClock } from '#shared/clock.js';
import { loadConfig } from '#shared/config.js';
import { createLogger } from '#shared/logger.js';
import { openStores } from '#shared/store/open.js';

export interface AuthorizerContext {
  key_id: string;
  /** Comma-separated scopes of the key. */
  scopes: string;
}

type Result = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/**
 * Builds the HTTP API Lambda authorizer (simple responses). It must run
 * with API Gateway's authorizer cache off and no identity sources: a key
 * may arrive in either of two headers, and API Gateway answers 401 by
 * itself when any identity source is missing. Key lookups are cached here
 * instead, per key id, by {@link KeyVerifier}. Throwing `Unauthorized`
 * makes API Gateway answer 401; `isAuthorized: false` answers 403.
 */
export function createAuthorizer(verifier: KeyVerifier) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<Result> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }

    const decision = await authorize(verifier, event.routeKey, headers);
    if (decision.effect === 'unauthorized') throw new Error('Unauthorized');
    if (decision.effect === 'forbidden') {
      return { isAuthorized: false, context: { key_id: '', scopes: '' } };
    }
    return {
      isAuthorized: true,
      context: {
        key_id: decision.keyId ?? '',
        scopes: decision.scopes.join(','),
      },
    };
  };
}

/** The authorizer reads API keys from the config store and nothing else. */
export const AUTHORIZER_STORES = ['config'] as const;

let ready: Promise<ReturnType<typeof createAuthorizer>> | undefined;

export const handler = async (event: APIGatewayRequestAuthorizerEventV2) => {
  ready ??= (async () => {
    const stores = await openStores(loadConfig(), AUTHORIZER_STORES);
    createLogger('authorizer').info('authorizer ready');
    return createAuthorizer(new KeyVerifier(stores.config, systemClock));
  })();
  const authorizer = await ready;
  return authorizer(event);
};
