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
import { logBatchSchema } from '#shared/logs/schema.js';
import { logQueryOf, logSearchSchema } from '#shared/logs/search.js';
import { listTraceLogs } from '#shared/logs/trace-logs.js';
import { apiLogOf } from '#shared/logs/view.js';

/** Reads the search body; an empty body searches the last hour. */
function readSearchBody(request: ApiRequest): unknown {
  return request.body.length === 0 ? {} : readJson(request, parseJsonExact);
}

/** Builds the logs handler: ingest, search and the logs of one trace. */
export function createLogsHandler(deps: Deps) {
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
        const page = await deps.stores.logs.search(query);
        const body: { logs: unknown[]; next_cursor?: string } = {
          logs: page.items.map(apiLogOf),
        };
        if (page.next_cursor) body.next_cursor = page.next_cursor;
        return { status: 200, body };
      },

      'GET /api/observatory/logs/trace/{trace_id}': async (request) => ({
        status: 200,
        body: await listTraceLogs(
          deps.stores.logs,
          request.params.trace_id ?? '',
        ),
      }),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('logs', createLogsHandler);
