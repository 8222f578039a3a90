/** A call relation between two services, declared, observed or both. */
export interface GraphEdge {
  source: string;
  target: string;
  /** The source's registration lists the target as a dependency. */
  declared: boolean;
  /** Calls were observed in spans within the window. */
  observed: boolean;
  call_count: number;
  error_count: number;
  p95_duration_nano: number | null;
}

/** Looks up the edges that leave or enter a set of services. */
export interface EdgeSource {
  outgoing(services: string[]): Promise<GraphEdge[]>;
  incoming(services: string[]): Promise<GraphEdge[]>;
}

/** The services around a center and the edges walked to reach them. */
export interface ServiceGraph {
  /** Each service reached, with its fewest hops from the center. */
  distances: Map<string, number>;
  /** Edges sorted by source, then target. */
  edges: GraphEdge[];
}

type Direction = 'outgoing' | 'incoming';

/**
 * Walks up to `depth` hops in one direction: downstream follows outgoing
 * edges to callees, upstream follows incoming edges to callers. Every edge
 * leaving a service it visits is kept, including edges back to services
 * already visited, so cycles show while each service is expanded once.
 */
async function walk(
  center: string,
  depth: number,
  direction: Direction,
  source: EdgeSource,
  graph: ServiceGraph,
  edges: Map<string, GraphEdge>,
): Promise<void> {
  const visited = new Set([center]);
  let frontier = [center];
  for (let hop = 1; hop <= depth && frontier.length > 0; hop += 1) {
    const found = await source[direction](frontier);
    const next: string[] = [];
    for (const edge of found) {
      edges.set(`${edge.source}\u0000${edge.target}`, edge);
      const far = direction === 'outgoing' ? edge.target : edge.source;
      if (visited.has(far)) continue;
      visited.add(far);
      next.push(far);
      const known = graph.distances.get(far);
      if (known === undefined || hop < known) graph.distances.set(far, hop);
    }
    frontier = next;
  }
}

/**
 * Collects the graph around `center`: its callers to `depth` hops
 * upstream and its callees to `depth` hops downstream. Siblings (other
 * callees of a caller) are not included unless reached another way.
 */
export async function walkGraph(
  center: string,
  depth: number,
  source: EdgeSource,
): Promise<ServiceGraph> {
  const graph: ServiceGraph = { distances: new Map([[center, 0]]), edges: [] };
  const edges = new Map<string, GraphEdge>();
  await walk(center, depth, 'outgoing', source, graph, edges);
  await walk(center, depth, 'incoming', source, graph, edges);
  graph.edges = [...edges.values()].sort(byEnds);
  return graph;
}

function byEnds(a: GraphEdge, b: GraphEdge): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  if (a.target !== b.target) return a.target < b.target ? -1 : 1;
  return 0;
}
