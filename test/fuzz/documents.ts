import type { RouteKey } from '#shared/routes.js';
import { T0_MS } from './support.js';

/**
 * A valid body for every JSON route that takes one, at the fuzz clock's
 * T0. Properties mutate these, so most inputs get past the first check.
 */
export const VALID_BODIES: Partial<Record<RouteKey, unknown>> = {
  'POST /api/observatory/metrics/ingest': gaugePoint(0),
  'POST /api/observatory/metrics/ingest/batch': {
    points: [gaugePoint(1), gaugePoint(2)],
  },
  'POST /api/observatory/metrics/query': {
    service: 'checkout',
    metric_name: 'cpu.util',
    matchers: [{ label: 'host', op: '=~', value: 'a.*' }],
    start: T0_MS - 600_000,
    end: T0_MS,
    interval: '1m',
    aggregation: 'p95',
    group_by: ['host'],
  },
  'POST /api/observatory/traces/ingest': {
    trace_id: traceIdOf(1),
    spans: [jsonSpan(1)],
  },
  'POST /api/observatory/traces/spans/ingest': {
    spans: [{ ...jsonSpan(2), trace_id: traceIdOf(2) }],
  },
  'POST /api/observatory/logs/ingest': logItem('first'),
  'POST /api/observatory/logs/ingest/batch': {
    logs: [logItem('second'), logItem('third')],
  },
  'POST /api/observatory/logs/search': {
    query: 'timeout "card expired" -retry',
    service: 'checkout',
    min_level: 'WARN',
    start: T0_MS - 600_000,
    end: T0_MS,
    attributes: { 'customer.tier': 'gold' },
    limit: 10,
  },
  'POST /api/observatory/keys': { name: 'ci', scopes: ['read'] },
  'POST /api/observatory/services/register': {
    name: 'checkout',
    team: 'payments',
    tags: { tier: '1' },
    dependencies: ['inventory'],
  },
  'PUT /api/observatory/services/{service_id}/health': {
    status: 'degraded',
    reason: 'p95 above 800 ms',
  },
};

/** Path parameters that name something valid, per parameter name. */
export const VALID_PARAMS: Record<string, string> = {
  service_id: 'checkout',
  metric_name: 'cpu.util',
  trace_id: traceIdOf(1),
  key_id: '0123456789abcdef',
};

/**
 * The query parameters each read route takes, so generated queries hit
 * real parameters and not only unknown ones.
 */
export const QUERY_PARAMS: Partial<Record<RouteKey, string[]>> = {
  'GET /api/observatory/metrics/statistics/{service_id}/{metric_name}': [
    'start',
    'end',
  ],
  'GET /api/observatory/metrics/list/{service_id}': ['limit', 'cursor'],
  'GET /api/observatory/traces/service/{service_id}': [
    'start',
    'end',
    'limit',
    'cursor',
    'min_duration_ms',
    'max_duration_ms',
    'errors_only',
    'operation',
    'attr.http.route',
  ],
  'GET /api/observatory/traces/{trace_id}/analyze': ['limit'],
  'GET /api/observatory/traces/service/{service_id}/statistics': [
    'start',
    'end',
    'span_kind',
  ],
  'GET /api/observatory/logs/service/{service_id}': [
    'start',
    'end',
    'limit',
    'cursor',
    'query',
    'min_level',
    'max_level',
  ],
  'GET /api/observatory/logs/errors/{service_id}': [
    'start',
    'end',
    'limit',
    'cursor',
    'query',
  ],
  'GET /api/observatory/logs/statistics/{service_id}': [
    'start',
    'end',
    'interval',
    'query',
  ],
  'GET /api/observatory/keys': ['limit', 'cursor'],
  'GET /api/observatory/services': [
    'environment',
    'team',
    'health',
    'limit',
    'cursor',
  ],
  'GET /api/observatory/services/{service_id}': ['window'],
  'GET /api/observatory/services/{service_id}/topology': ['depth', 'window'],
};

export function traceIdOf(n: number): string {
  return n.toString(16).padStart(32, 'a');
}

export function gaugePoint(n: number) {
  return {
    service: 'checkout',
    name: 'cpu.util',
    type: 'gauge',
    value: 0.5,
    labels: { host: `host-${n}` },
    timestamp: T0_MS - n * 1_000,
  };
}

export function jsonSpan(n: number) {
  return {
    span_id: n.toString(16).padStart(16, 'b'),
    service: 'checkout',
    name: 'POST /pay',
    kind: 'server',
    start_time: T0_MS - 1_000,
    end_time: T0_MS - 880,
    attributes: { 'http.route': '/pay', retries: 2 },
  };
}

export function logItem(message: string) {
  return {
    service: 'checkout',
    level: 'ERROR',
    message,
    timestamp: T0_MS - 1_000,
    attributes: { 'customer.tier': 'gold' },
  };
}
