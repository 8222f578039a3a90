import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import { createDomainHandler } from '#shared/http/handler.js';

/** Builds the health handler: it answers without touching any store. */
export function createHealthHandler(deps: Deps) {
  return createDomainHandler(
    {
      'GET /health': async () => ({
        status: 200,
        body: { status: 'ok', storage: deps.config.storage },
      }),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('health', createHealthHandler, []);
