/** The Lambda function (one per domain) that serves a route. */
export type Domain =
  | 'metrics'
  | 'traces'
  | 'logs'
  | 'services'
  | 'otlp'
  | 'keys'
  | 'firehose'
  | 'health';

/** What a caller's API key must allow for a route. */
export type Scope = 'ingest' | 'read' | 'admin' | 'none';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** API Gateway path template: literal segments and `{name}` parameters. */
  path: string;
  domain: Domain;
  scope: Scope;
  summary: string;
}

/** API Gateway's route key for a route, such as `GET /health`. */
export type RouteKey = `${HttpMethod} ${string}`;

export const API_PREFIX = '/api/observatory';

const api = (path: string) => `${API_PREFIX}${path}`;

/**
 * Every HTTP route of Observatory, declared once. The local server mounts
 * this table and the CDK stack builds API Gateway routes from it.
 */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/health',
    domain: 'health',
    scope: 'none',
    summary: 'Liveness check',
  },
  {
    method: 'POST',
    path: api('/metrics/ingest'),
    domain: 'metrics',
    scope: 'ingest',
    summary: 'Ingest one metric point',
  },
  {
    method: 'POST',
    path: api('/metrics/ingest/batch'),
    domain: 'metrics',
    scope: 'ingest',
    summary: 'Ingest a batch of metric points',
  },
  {
    method: 'POST',
    path: api('/metrics/query'),
    domain: 'metrics',
    scope: 'read',
    summary: 'Aggregate a metric into series over time buckets',
  },
  {
    method: 'GET',
    path: api('/metrics/statistics/{service_id}/{metric_name}'),
    domain: 'metrics',
    scope: 'read',
    summary: 'Summarize one metric over a range: count, mean, percentiles',
  },
  {
    method: 'GET',
    path: api('/metrics/list/{service_id}'),
    domain: 'metrics',
    scope: 'read',
    summary: "List a service's metrics with type, unit and label keys",
  },
  {
    method: 'POST',
    path: api('/traces/ingest'),
    domain: 'traces',
    scope: 'ingest',
    summary: 'Ingest one trace with its spans',
  },
  {
    method: 'POST',
    path: api('/traces/spans/ingest'),
    domain: 'traces',
    scope: 'ingest',
    summary: 'Ingest spans from any traces and services',
  },
  {
    method: 'GET',
    path: api('/traces/{trace_id}'),
    domain: 'traces',
    scope: 'read',
    summary: 'Read a trace assembled into a span tree',
  },
  {
    method: 'GET',
    path: api('/traces/service/{service_id}'),
    domain: 'traces',
    scope: 'read',
    summary: "List a service's recent traces, newest first",
  },
  {
    method: 'GET',
    path: api('/traces/{trace_id}/analyze'),
    domain: 'traces',
    scope: 'read',
    summary: 'Find the critical path, self times, slowest spans and errors',
  },
  {
    method: 'GET',
    path: api('/traces/service/{service_id}/statistics'),
    domain: 'traces',
    scope: 'read',
    summary: "Count a service's requests, errors and latency per operation",
  },
  {
    method: 'POST',
    path: api('/logs/ingest'),
    domain: 'logs',
    scope: 'ingest',
    summary: 'Ingest one log record',
  },
  {
    method: 'POST',
    path: api('/logs/ingest/batch'),
    domain: 'logs',
    scope: 'ingest',
    summary: 'Ingest a batch of log records',
  },
  {
    method: 'POST',
    path: api('/logs/search'),
    domain: 'logs',
    scope: 'read',
    summary: 'Search logs by text, service, level, time and trace',
  },
  {
    method: 'GET',
    path: api('/logs/trace/{trace_id}'),
    domain: 'logs',
    scope: 'read',
    summary: 'List the logs of one trace',
  },
  {
    method: 'GET',
    path: api('/logs/service/{service_id}'),
    domain: 'logs',
    scope: 'read',
    summary: "List a service's logs, newest first",
  },
  {
    method: 'GET',
    path: api('/logs/errors/{service_id}'),
    domain: 'logs',
    scope: 'read',
    summary: "List a service's ERROR and FATAL logs, newest first",
  },
  {
    method: 'GET',
    path: api('/logs/statistics/{service_id}'),
    domain: 'logs',
    scope: 'read',
    summary: "Count a service's logs per level, in total and over time",
  },
  {
    method: 'GET',
    path: api('/keys'),
    domain: 'keys',
    scope: 'admin',
    summary: 'List API keys without their secrets',
  },
  {
    method: 'POST',
    path: api('/keys'),
    domain: 'keys',
    scope: 'admin',
    summary: 'Create an API key; the key is shown only in this response',
  },
  {
    method: 'DELETE',
    path: api('/keys/{key_id}'),
    domain: 'keys',
    scope: 'admin',
    summary: 'Revoke an API key',
  },
  {
    method: 'POST',
    path: api('/services/register'),
    domain: 'services',
    scope: 'ingest',
    summary: 'Register or update a service in the catalog',
  },
  {
    method: 'GET',
    path: api('/services'),
    domain: 'services',
    scope: 'read',
    summary: 'List registered services and services seen in spans',
  },
  {
    method: 'GET',
    path: api('/services/{service_id}'),
    domain: 'services',
    scope: 'read',
    summary: 'Read a service with its health and golden signals',
  },
  {
    method: 'PUT',
    path: api('/services/{service_id}/health'),
    domain: 'services',
    scope: 'ingest',
    summary: "Report a service's health; earlier reports are kept",
  },
  {
    method: 'GET',
    path: api('/services/{service_id}/topology'),
    domain: 'services',
    scope: 'read',
    summary: 'Read the graph of callers and callees around a service',
  },
  {
    method: 'POST',
    path: api('/firehose'),
    domain: 'firehose',
    // The route checks X-Amz-Firehose-Access-Key itself: Firehose cannot
    // send our API keys.
    scope: 'none',
    summary:
      'Firehose HTTP endpoint delivery; checks its own access key ' +
      '(X-Amz-Firehose-Access-Key), not an API key',
  },
  {
    method: 'POST',
    path: '/v1/traces',
    domain: 'otlp',
    scope: 'ingest',
    summary: 'OTLP/HTTP trace export (protobuf or JSON)',
  },
  {
    method: 'POST',
    path: '/v1/metrics',
    domain: 'otlp',
    scope: 'ingest',
    summary: 'OTLP/HTTP metric export (protobuf or JSON)',
  },
  {
    method: 'POST',
    path: '/v1/logs',
    domain: 'otlp',
    scope: 'ingest',
    summary: 'OTLP/HTTP log export (protobuf or JSON)',
  },
];

export function routeKey(route: Pick<Route, 'method' | 'path'>): RouteKey {
  return `${route.method} ${route.path}`;
}

export function routesOf(domain: Domain): Route[] {
  return ROUTES.filter((route) => route.domain === domain);
}
