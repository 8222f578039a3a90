import { createFirehoseHandler } from '#functions/firehose/handler.js';
import { createHealthHandler } from '#functions/health/handler.js';
import { createKeysHandler } from '#functions/keys/handler.js';
import { createLogsHandler } from '#functions/logs/handler.js';
import { createMetricsHandler } from '#functions/metrics/handler.js';
import { createOtlpHandler } from '#functions/otlp/handler.js';
import { createServicesHandler } from '#functions/services/handler.js';
import { createTracesHandler } from '#functions/traces/handler.js';
import type { Deps, HttpHandler } from '#shared/deps.js';
import type { Domain } from '#shared/routes.js';

/** One handler per domain, built on the same deps, as Lambda would run. */
export function buildHandlers(deps: Deps): Record<Domain, HttpHandler> {
  return {
    health: createHealthHandler(deps),
    metrics: createMetricsHandler(deps),
    traces: createTracesHandler(deps),
    logs: createLogsHandler(deps),
    services: createServicesHandler(deps),
    otlp: createOtlpHandler(deps),
    keys: createKeysHandler(deps),
    firehose: createFirehoseHandler(deps),
  };
}
