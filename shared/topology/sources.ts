import type { TopologyStore } from '../store/ports.js';
import type { EdgeSource, GraphEdge } from './graph.js';
import type { EdgeStats } from './model.js';

/** Declared dependencies: each service's list of the services it calls. */
export type Declarations = ReadonlyMap<string, readonly string[]>;

function edgeKey(source: string, target: string): string {
  return `${source}\u0000${target}`;
}

function observedEdge(stats: EdgeStats): GraphEdge {
  return { ...stats, declared: false, observed: true };
}

function declaredEdge(source: string, target: string): GraphEdge {
  return {
    source,
    target,
    declared: true,
    observed: false,
    call_count: 0,
    error_count: 0,
    p95_duration_nano: null,
  };
}

/** Merges observed and declared edges; an edge in both is flagged twice. */
export function mergeEdges(
  observed: EdgeStats[],
  declared: [source: string, target: string][],
): GraphEdge[] {
  const merged = new Map<string, GraphEdge>();
  for (const stats of observed) {
    merged.set(edgeKey(stats.source, stats.target), observedEdge(stats));
  }
  for (const [source, target] of declared) {
    const key = edgeKey(source, target);
    const edge = merged.get(key);
    if (edge) edge.declared = true;
    else merged.set(key, declaredEdge(source, target));
  }
  return [...merged.values()];
}

/** Indexes declarations by the called service. */
function callersOf(declarations: Declarations): Map<string, string[]> {
  const callers = new Map<string, string[]>();
  for (const [source, targets] of declarations) {
    for (const target of targets) {
      callers.set(target, [...(callers.get(target) ?? []), source]);
    }
  }
  return callers;
}

/**
 * Builds an edge source over the topology store's observations in a time
 * range, merged with declared dependencies.
 */
export function storeEdgeSource(
  topology: TopologyStore,
  declarations: Declarations,
  range: { start_ms: number; end_ms: number },
): EdgeSource {
  const callers = callersOf(declarations);
  return {
    outgoing: async (services) => {
      const observed = await topology.edgeStats({
        ...range,
        sources: services,
      });
      const declared = services.flatMap((source) =>
        (declarations.get(source) ?? []).map((target): [string, string] => [
          source,
          target,
        ]),
      );
      return mergeEdges(observed, declared);
    },
    incoming: async (services) => {
      const observed = await topology.edgeStats({
        ...range,
        targets: services,
      });
      const declared = services.flatMap((target) =>
        (callers.get(target) ?? []).map((source): [string, string] => [
          source,
          target,
        ]),
      );
      return mergeEdges(observed, declared);
    },
  };
}
