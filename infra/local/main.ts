import { ensureAdminKey } from '#shared/auth/bootstrap.js';
import { systemClock } from '#shared/clock.js';
import { loadConfig } from '#shared/config.js';
import { createLogger } from '#shared/logger.js';
import { openStores } from '#shared/store/open.js';
import { startLocalServer } from './server.js';

const DEFAULT_PORT = 8036;

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`invalid PORT ${value}: expected an integer 0-65535`);
  }
  return port;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('observatory-local');
  const stores = await openStores(config);
  const firstKey = await ensureAdminKey(
    stores.config,
    systemClock.now(),
    process.env.OBSERVATORY_ADMIN_KEY,
  );
  const server = await startLocalServer({
    deps: { config, stores, clock: systemClock, logger },
    port: parsePort(process.env.PORT),
  });

  console.log(`Observatory is running at ${server.url}`);
  console.log(`Data directory: ${config.dataDir}`);
  if (firstKey) {
    console.log(
      `Created the first admin key (shown only now; only its hash is ` +
        `stored):\n\n  ${firstKey}\n\nSend it as x-api-key or ` +
        'Authorization: Bearer <key>; create narrower keys with ' +
        'POST /api/observatory/keys.',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await server.close();
    await stores.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
