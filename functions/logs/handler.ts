import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import { createDomainHandler } from '#shared/http/handler.js';
import { parseJsonExact } from '#shared/http/json.js';
import {
  type ApiRequest,
  parseInput,
  readBody,
  readJson,
} from '#shared/http/request.js';
import { ingestLogItems, ingestOneLog } from '#shared/logs/ingest.js';
import { type LogListBody, logListBody } from '#shared/logs/page.js';
import { logBatchSchema } from '#shared/logs/schema.js';
import { logQueryOf, logSearchSchema } from '#shared/logs/search.js';
import {
  readErrorLogQuery,
  readServiceLogQuery,
} from '#shared/logs/service-logs.js';
import { readLogStatistics } from '#shared/logs/statistics.js';
import { listTraceLogs } from '#shared/logs/trace-logs.js';
import type { LogQuery } from '#shared/model/log.js';
import type { LogStore } from '#shared/store/ports.js';

/** Reads the search body; an empty body searches the last hour. */
function readSearchBody(request: ApiRequest): unknown {
  return request.body.length === 0 ? {} : readJson(request, parseJsonExact);
}

/** Runs a search and shapes one page of the API's log list. */
async function searchPage(
  store: LogStore,
  query: LogQuery,
): Promise<LogListBody> {
  return logListBody(await store.search(query));
}

/**
 * Builds the logs handler: ingest, search, the logs of one trace, and the
 * logs, errors and level statistics of one service.
 */
export function createLogsHandler(deps: Deps) {
  const store = deps.stores.logs;
  const service = (request: ApiRequest) => request.params.service_id ?? '';

  return createDomainHandler(
    {
      'POST /api/observatory/logs/ingest': async (request) => {
        const { log_id } = await ingestOneLog(
          deps,
          readJson(request, parseJsonExact),
        );
        return { status: 200, body: { accepted: 1, rejected: [], log_id } };
      },

      'POST /api/observatory/logs/ingest/batch': async (request) => {
        const { logs } = readBody(request, logBatchSchema, parseJsonExact);
        return { status: 200, body: await ingestLogItems(deps, logs) };
      },

      'POST /api/observatory/logs/search': async (request) => {
        const input = parseInput(
          logSearchSchema,
          readSearchBody(request),
          'body',
        );
        const query = logQueryOf(input, deps.clock.now());
        return { status: 200, body: await searchPage(store, query) };
      },

      'GET /api/observatory/logs/trace/{trace_id}': async (request) => ({
        status: 200,
        body: await listTraceLogs(store, request.params.trace_id ?? ''),
      }),

      'GET /api/observatory/logs/service/{service_id}': async (request) => {
        const query = readServiceLogQuery(
          service(request),
          request.query,
          deps.clock.now(),
        );
        return { status: 200, body: await searchPage(store, query) };
      },

      'GET /api/observatory/logs/errors/{service_id}': async (request) => {
        const query = readErrorLogQuery(
          service(request),
          request.query,
          deps.clock.now(),
        );
        return { status: 200, body: await searchPage(store, query) };
      },

      'GET /api/observatory/logs/statistics/{service_id}': async (request) => ({
        status: 200,
        body: await readLogStatistics(
          store,
          service(request),
          request.query,
          deps.clock.now(),
        ),
      }),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('logs', createLogsHandler, ['logs']);
