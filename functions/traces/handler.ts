import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import { NotFoundError, ValidationError } from '#shared/errors.js';
import { createDomainHandler } from '#shared/http/handler.js';
import { parseJsonExact } from '#shared/http/json.js';
import { type ApiRequest, readBody } from '#shared/http/request.js';
import { traceIdSchema } from '#shared/model/ids.js';
import { analyzeTrace } from '#shared/traces/analysis.js';
import { readAnalysisQuery } from '#shared/traces/analysis-query.js';
import { analysisView } from '#shared/traces/analysis-view.js';
import { assembleTrace } from '#shared/traces/assemble.js';
import { ingestJsonSpans } from '#shared/traces/ingest-json.js';
import { readTraceListQuery } from '#shared/traces/list-query.js';
import { spansBodySchema, traceBodySchema } from '#shared/traces/schema.js';
import { serviceStatistics } from '#shared/traces/statistics.js';
import { readStatisticsQuery } from '#shared/traces/statistics-query.js';
import { summaryView, traceView } from '#shared/traces/view.js';

function pathTraceId(request: ApiRequest): string {
  const raw = request.params.trace_id ?? '';
  const parsed = traceIdSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'invalid trace id';
  throw new ValidationError(`invalid path parameter trace_id: ${message}`, [
    { path: 'trace_id', message },
  ]);
}

function traceNotFound(traceId: string): NotFoundError {
  return new NotFoundError(
    `trace ${traceId} not found; its spans may not have arrived yet`,
  );
}

/** Query parameters with their names as sent (attribute keys keep case). */
function rawQuery(request: ApiRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const params = request.event.queryStringParameters ?? {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Builds the traces handler: span ingest, trace reads and analysis, trace
 * lists and per-operation statistics.
 */
export function createTracesHandler(deps: Deps) {
  const ingestSpanList = async (request: ApiRequest) => {
    const body = readBody(request, spansBodySchema, parseJsonExact);
    const report = await ingestJsonSpans(deps, body.spans);
    return { status: 200, body: report };
  };

  const ingestTrace = async (request: ApiRequest) => {
    const body = readBody(request, traceBodySchema, parseJsonExact);
    const report = await ingestJsonSpans(deps, body.spans, body.trace_id);
    return { status: 200, body: report };
  };

  const getTrace = async (request: ApiRequest) => {
    const traceId = pathTraceId(request);
    const trace = assembleTrace(await deps.stores.traces.getTrace(traceId));
    if (!trace) throw traceNotFound(traceId);
    return { status: 200, body: traceView(trace) };
  };

  const analyze = async (request: ApiRequest) => {
    const traceId = pathTraceId(request);
    const { limit } = readAnalysisQuery(rawQuery(request));
    const spans = await deps.stores.traces.getTrace(traceId);
    const analysis = analyzeTrace(spans, limit);
    if (!analysis) throw traceNotFound(traceId);
    return { status: 200, body: analysisView(analysis) };
  };

  const listTraces = async (request: ApiRequest) => {
    const service = request.params.service_id ?? '';
    const query = readTraceListQuery(
      service,
      rawQuery(request),
      deps.clock.now(),
    );
    const page = await deps.stores.traces.listTraces(query);
    const body = {
      service,
      traces: page.items.map(summaryView),
      ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}),
    };
    return { status: 200, body };
  };

  const statistics = async (request: ApiRequest) => {
    const service = request.params.service_id ?? '';
    const query = readStatisticsQuery(rawQuery(request), deps.clock.now());
    const body = await serviceStatistics(deps, service, query);
    return { status: 200, body };
  };

  return createDomainHandler(
    {
      'POST /api/observatory/traces/spans/ingest': ingestSpanList,
      'POST /api/observatory/traces/ingest': ingestTrace,
      'GET /api/observatory/traces/{trace_id}': getTrace,
      'GET /api/observatory/traces/service/{service_id}': listTraces,
      'GET /api/observatory/traces/{trace_id}/analyze': analyze,
      'GET /api/observatory/traces/service/{service_id}/statistics': statistics,
    },
    deps.logger,
  );
}

export const handler = lazyHandler('traces', createTracesHandler, [
  'traces',
  'topology',
]);
