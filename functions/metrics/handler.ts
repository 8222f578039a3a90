import type { Deps } from '#shared/deps.js';
import { lazyHandler } from '#shared/deps.js';
import {
  NotFoundError,
  ObservatoryError,
  PayloadTooLargeError,
  ValidationError,
} from '#shared/errors.js';
import { createDomainHandler } from '#shared/http/handler.js';
import {
  type ApiRequest,
  parseInput,
  readJson,
  readQuery,
} from '#shared/http/request.js';
import { MAX_BATCH_ITEMS } from '#shared/limits.js';
import { parseApiPoint } from '#shared/metrics/api-point.js';
import {
  metricListParamsSchema,
  metricListResponse,
  toMetricListQuery,
} from '#shared/metrics/catalog.js';
import type { IndexedPoint } from '#shared/metrics/conflicts.js';
import {
  ingestIndexedPoints,
  ingestMetricPoints,
  ingestWindow,
} from '#shared/metrics/ingest.js';
import {
  checkResultSize,
  metricQuerySchema,
  seriesResponse,
  toMetricQuery,
} from '#shared/metrics/query.js';
import { describeProblem } from '#shared/metrics/rules.js';
import {
  statisticsParamsSchema,
  statisticsResponse,
  toStatisticsQuery,
} from '#shared/metrics/statistics.js';
import type { Rejection } from '#shared/model/report.js';
import { isoFromMs } from '#shared/model/time.js';

/**
 * Reads the `points` array of a batch body. Raises a 400 when it is absent
 * and a 413 when it has more than {@link MAX_BATCH_ITEMS} items.
 */
function readBatchItems(request: ApiRequest): unknown[] {
  const body = readJson(request);
  const points = (body as { points?: unknown } | null)?.points;
  if (!Array.isArray(points)) {
    throw new ValidationError(
      'invalid body: points: is missing or not an array; send ' +
        '{"points": [...]}',
      [{ path: 'points', message: 'expected an array of metric points' }],
    );
  }
  if (points.length > MAX_BATCH_ITEMS) {
    throw new PayloadTooLargeError(
      `points has ${points.length} items, above the limit of ` +
        `${MAX_BATCH_ITEMS}; split the batch`,
    );
  }
  return points;
}

/**
 * Parses each item of a batch on its own, so one bad item never hides the
 * others. Returns the valid points with their request indexes.
 */
function parseBatch(deps: Deps, items: unknown[]) {
  const window = ingestWindow(deps);
  const points: IndexedPoint[] = [];
  const rejected: Rejection[] = [];
  for (const [index, item] of items.entries()) {
    const result = parseApiPoint(item, window);
    if (result.ok) {
      points.push({ index, point: result.point });
    } else {
      rejected.push({ index, reason: describeProblem(result.problem) });
    }
  }
  return { points, rejected };
}

async function ingestBatch(deps: Deps, request: ApiRequest) {
  const parsed = parseBatch(deps, readBatchItems(request));
  const report = await ingestIndexedPoints(deps, parsed.points);
  const rejected = [...parsed.rejected, ...report.rejected].sort(
    (a, b) => a.index - b.index,
  );
  return { status: 200, body: { accepted: report.accepted, rejected } };
}

async function ingestOne(deps: Deps, request: ApiRequest) {
  const result = parseApiPoint(readJson(request), ingestWindow(deps));
  if (!result.ok) {
    const { field, message } = result.problem;
    throw new ValidationError(`invalid body: ${field}: ${message}`, [
      { path: field, message },
    ]);
  }
  const report = await ingestMetricPoints(deps, [result.point]);
  const rejection = report.rejected[0];
  if (rejection) {
    throw new ObservatoryError(409, 'conflict', rejection.reason, {
      details: [{ path: 'timestamp', message: rejection.reason }],
    });
  }
  return { status: 200, body: report };
}

async function query(deps: Deps, request: ApiRequest) {
  const input = parseInput(metricQuerySchema, readJson(request), 'body');
  const metricQuery = toMetricQuery(input, deps.clock.now());
  const series = await deps.stores.metrics.query(metricQuery);
  checkResultSize(series);
  return {
    status: 200,
    body: {
      start: isoFromMs(metricQuery.start_ms),
      end: isoFromMs(metricQuery.end_ms),
      interval_seconds: metricQuery.interval_ms / 1_000,
      aggregation: metricQuery.aggregation,
      ...(metricQuery.group_by ? { group_by: metricQuery.group_by } : {}),
      series: seriesResponse(series),
    },
  };
}

async function statistics(deps: Deps, request: ApiRequest) {
  const service = request.params.service_id ?? '';
  const metricName = request.params.metric_name ?? '';
  const params = readQuery(request, statisticsParamsSchema);
  const query = toStatisticsQuery(
    service,
    metricName,
    params,
    deps.clock.now(),
  );
  const stats = await deps.stores.metrics.statistics(query);
  if (!stats) {
    throw new NotFoundError(
      `metric ${metricName} of service ${service} has no points between ` +
        `${isoFromMs(query.start_ms)} and ${isoFromMs(query.end_ms)}; ` +
        'check the name with GET /api/observatory/metrics/list/' +
        `${encodeURIComponent(service)} or widen the range`,
    );
  }
  return { status: 200, body: statisticsResponse(query, stats) };
}

async function list(deps: Deps, request: ApiRequest) {
  const service = request.params.service_id ?? '';
  const params = readQuery(request, metricListParamsSchema);
  const metrics = await deps.stores.metrics.listMetrics(
    toMetricListQuery(service, params),
  );
  return {
    status: 200,
    body: metricListResponse(service, metrics, params.limit),
  };
}

/**
 * Builds the metrics handler: point and batch ingest, queries, statistics
 * of one metric and the list of a service's metrics.
 */
export function createMetricsHandler(deps: Deps) {
  return createDomainHandler(
    {
      'POST /api/observatory/metrics/ingest': (request) =>
        ingestOne(deps, request),
      'POST /api/observatory/metrics/ingest/batch': (request) =>
        ingestBatch(deps, request),
      'POST /api/observatory/metrics/query': (request) => query(deps, request),
      'GET /api/observatory/metrics/statistics/{service_id}/{metric_name}': (
        request,
      ) => statistics(deps, request),
      'GET /api/observatory/metrics/list/{service_id}': (request) =>
        list(deps, request),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('metrics', createMetricsHandler, [
  'metrics',
]);
