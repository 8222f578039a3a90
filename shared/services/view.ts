import { isoFromMs } from '../model/time.js';
import type { GraphEdge, ServiceGraph } from '../topology/graph.js';
import type { HealthEntry } from './health.js';
import type { KnownService } from './registry.js';
import { msFromNanoseconds } from './signals.js';
import type { TimeWindow } from './window.js';

/** Renders a health entry; a service never reported on has no time. */
export function healthView(entry: HealthEntry) {
  return {
    status: entry.status,
    reason: entry.reason,
    updated_at: entry.updated_at || null,
  };
}

/**
 * Renders a service as `GET /services` lists it. Fields of the
 * registration are defaults when the service is only seen in spans, and
 * `first_seen`/`last_seen` are null when it is only registered.
 */
export function serviceView(known: KnownService, health: HealthEntry) {
  const record = known.record;
  const observed = known.observed;
  return {
    name: known.name,
    registered: record !== undefined,
    description: record?.description ?? '',
    team: record?.team ?? null,
    environment: record?.environment ?? null,
    version: record?.version ?? null,
    tags: record?.tags ?? {},
    dependencies: record?.dependencies ?? [],
    registered_at: record?.registered_at ?? null,
    updated_at: record?.updated_at ?? null,
    first_seen: observed ? isoFromMs(observed.first_seen_ms) : null,
    last_seen: observed ? isoFromMs(observed.last_seen_ms) : null,
    health: healthView(health),
  };
}

function edgeView(edge: GraphEdge) {
  return {
    source: edge.source,
    target: edge.target,
    declared: edge.declared,
    observed: edge.observed,
    call_count: edge.call_count,
    error_count: edge.error_count,
    error_rate: edge.call_count ? edge.error_count / edge.call_count : null,
    p95_latency_ms: msFromNanoseconds(edge.p95_duration_nano),
  };
}

/** Renders `GET /services/{service_id}/topology`. */
export function topologyView(
  center: string,
  depth: number,
  window: TimeWindow,
  graph: ServiceGraph,
  registered: (service: string) => boolean,
) {
  const nodes = [...graph.distances]
    .map(([name, distance]) => ({
      name,
      registered: registered(name),
      distance,
    }))
    .sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1));
  return {
    service: center,
    depth,
    window: window.text,
    start: isoFromMs(window.start_ms),
    end: isoFromMs(window.end_ms),
    nodes,
    edges: graph.edges.map(edgeView),
  };
}
