import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { createAuthorizer } from '#functions/authorizer/handler.js';
import { createHealthHandler } from '#functions/health/handler.js';
import { createKeysHandler } from '#functions/keys/handler.js';
import { createServicesHandler } from '#functions/services/handler.js';
import { keyRecord } from '#shared/auth/bootstrap.js';
import { API_KEY_KIND, KEY_SCOPES } from '#shared/auth/keys.js';
import { KeyVerifier } from '#shared/auth/verifier.js';
import type { HttpHandler } from '#shared/deps.js';
import { benchContext, getEvent } from './event.js';
import { BENCH_ADMIN_KEY, freshDataDir, removeDataDir } from './server.js';
import { median, timeEach } from './stats.js';
import { openEmbeddedDeps } from './stores.js';

/** Median time of one in-process invocation of a non-ingest handler. */
export interface HandlerTime {
  name: string;
  /** The work of one invocation. */
  work: string;
  msPerInvocation: number;
}

async function timeHandler(
  handler: HttpHandler,
  path: string,
  invocations: number,
): Promise<number> {
  const durations = await timeEach(invocations + 1, async () => {
    const result = await handler(getEvent(path), benchContext('bench'));
    if (result.statusCode !== 200) {
      throw new Error(`GET ${path} failed with status ${result.statusCode}`);
    }
  });
  return median(durations.slice(1));
}

function authorizerEvent(): APIGatewayRequestAuthorizerEventV2 {
  const event = getEvent('/api/observatory/keys');
  return {
    ...event,
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/$default',
    identitySource: [],
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

/**
 * Times the handlers that take no telemetry, in this process on an
 * embedded database: health, key list, service list and the authorizer
 * with its key lookup cached, as on a warm Lambda container.
 */
export async function benchOtherHandlers(
  invocations: number,
): Promise<HandlerTime[]> {
  const dataDir = freshDataDir();
  const { deps, close } = await openEmbeddedDeps(dataDir);
  try {
    const record = keyRecord(BENCH_ADMIN_KEY, 'bench', [...KEY_SCOPES], 0);
    await deps.stores.config.put(API_KEY_KIND, record.id, record);
    const authorize = createAuthorizer(
      new KeyVerifier(deps.stores.config, deps.clock),
    );
    const event = authorizerEvent();
    const authorizerTimes = await timeEach(invocations + 1, async () => {
      const result = await authorize(event);
      if (!result.isAuthorized) {
        throw new Error('the authorizer rejected the benchmark key');
      }
    });
    return [
      {
        name: 'health',
        work: 'GET /health',
        msPerInvocation: await timeHandler(
          createHealthHandler(deps),
          '/health',
          invocations,
        ),
      },
      {
        name: 'authorizer',
        work: 'authorize a key (lookup cached)',
        msPerInvocation: median(authorizerTimes.slice(1)),
      },
      {
        name: 'keys',
        work: 'GET /api/observatory/keys',
        msPerInvocation: await timeHandler(
          createKeysHandler(deps),
          '/api/observatory/keys',
          invocations,
        ),
      },
      {
        name: 'services',
        work: 'GET /api/observatory/services',
        msPerInvocation: await timeHandler(
          createServicesHandler(deps),
          '/api/observatory/services',
          invocations,
        ),
      },
    ];
  } finally {
    await close();
    removeDataDir(dataDir);
  }
}
