import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type Clock, systemClock } from './clock.js';
import { type Config, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { ALL_STORES, openStores, type StoreName } from './store/open.js';
import type { Stores } from './store/ports.js';

/** What every domain handler is built from; tests pass their own. */
export interface Deps {
  config: Config;
  stores: Stores;
  clock: Clock;
  logger: Logger;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A Lambda handler that also names the stores it opens. */
export type LambdaHttpHandler = HttpHandler & {
  /** Read by the CDK stack's tests, which grant exactly these stores. */
  readonly stores: readonly StoreName[];
};

/**
 * Wraps a handler factory for Lambda: configuration and stores are loaded
 * once, on the first invocation of a cold start, and reused after. `needs`
 * lists the stores the function uses; with STORAGE=aws only those open.
 */
export function lazyHandler(
  serviceName: string,
  build: (deps: Deps) => HttpHandler,
  needs: readonly StoreName[] = ALL_STORES,
): LambdaHttpHandler {
  let ready: Promise<HttpHandler> | undefined;
  const handler: HttpHandler = async (event, context) => {
    ready ??= (async () => {
      const config = loadConfig();
      const stores = await openStores(config, needs);
      const logger = createLogger(serviceName);
      return build({ config, stores, clock: systemClock, logger });
    })();
    const built = await ready;
    return built(event, context);
  };
  return Object.assign(handler, { stores: needs });
}
