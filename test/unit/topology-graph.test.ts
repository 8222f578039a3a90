import { describe, expect, it } from 'vitest';
import { type EdgeSource, walkGraph } from '#shared/topology/graph.js';
import type { EdgeStats } from '#shared/topology/model.js';
import { mergeEdges } from '#shared/topology/sources.js';

/** Builds an edge source over fixed `a>b` edges that records lookups. */
function fixedSource(pairs: string[]) {
  const edges = mergeEdges(
    pairs.map((pair) => {
      const [source = '', target = ''] = pair.split('>');
      return { source, target, call_count: 1, error_count: 0 } as EdgeStats;
    }),
    [],
  );
  const calls: string[][] = [];
  const source: EdgeSource = {
    outgoing: async (services) => {
      calls.push(services);
      return edges.filter((e) => services.includes(e.source));
    },
    incoming: async (services) => {
      calls.push(services);
      return edges.filter((e) => services.includes(e.target));
    },
  };
  return { source, calls };
}

async function walk(pairs: string[], center: string, depth: number) {
  const graph = await walkGraph(center, depth, fixedSource(pairs).source);
  return {
    nodes: Object.fromEntries(graph.distances),
    edges: graph.edges.map((e) => `${e.source}>${e.target}`),
  };
}

/** gateway > api > db > disk, with web calling the gateway. */
const CHAIN = ['web>gateway', 'gateway>api', 'api>db', 'db>disk'];

describe('walkGraph', () => {
  it.each([
    [1, { api: 0, gateway: 1, db: 1 }],
    [2, { api: 0, gateway: 1, db: 1, web: 2, disk: 2 }],
  ])('reaches services up to depth %i', async (depth, nodes) => {
    const graph = await walk(CHAIN, 'api', depth);

    expect(graph.nodes).toEqual(nodes);
  });

  it('returns the edges walked, sorted', async () => {
    const graph = await walk(CHAIN, 'api', 1);

    expect(graph.edges).toEqual(['api>db', 'gateway>api']);
  });

  it('leaves out siblings of the center', async () => {
    const graph = await walk(['gateway>api', 'gateway>auth'], 'api', 3);

    expect(graph.nodes).toEqual({ api: 0, gateway: 1 });
    expect(graph.edges).toEqual(['gateway>api']);
  });

  it('ends on a cycle and keeps the edge that closes it', async () => {
    const { source, calls } = fixedSource(['a>b', 'b>c', 'c>a']);

    const graph = await walkGraph('a', 5, source);

    expect(Object.fromEntries(graph.distances)).toEqual({ a: 0, b: 1, c: 1 });
    expect(graph.edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'a>b',
      'b>c',
      'c>a',
    ]);
    expect(calls.length).toBeLessThanOrEqual(6);
  });

  it('handles a service that calls its caller', async () => {
    const graph = await walk(['a>b', 'b>a'], 'a', 2);

    expect(graph.nodes).toEqual({ a: 0, b: 1 });
    expect(graph.edges).toEqual(['a>b', 'b>a']);
  });

  it('keeps the fewest hops for a service reached twice', async () => {
    const graph = await walk(['a>b', 'b>c', 'a>c'], 'a', 2);

    expect(graph.nodes).toEqual({ a: 0, b: 1, c: 1 });
  });

  it('returns only the center when it has no edges', async () => {
    const graph = await walk(CHAIN, 'lonely', 5);

    expect(graph.nodes).toEqual({ lonely: 0 });
    expect(graph.edges).toEqual([]);
  });

  it('stops asking once no new service is found', async () => {
    const { source, calls } = fixedSource(['a>b']);

    await walkGraph('a', 5, source);

    expect(calls).toEqual([['a'], ['b'], ['a']]);
  });
});

describe('mergeEdges', () => {
  const observed: EdgeStats = {
    source: 'a',
    target: 'b',
    call_count: 4,
    error_count: 1,
    p95_duration_nano: 2_000_000,
  };

  it('flags an edge both declared and observed', () => {
    const [edge] = mergeEdges([observed], [['a', 'b']]);

    expect(edge).toEqual({ ...observed, declared: true, observed: true });
  });

  it('adds a declared edge with no calls', () => {
    const edges = mergeEdges([observed], [['a', 'c']]);

    expect(edges[1]).toEqual({
      source: 'a',
      target: 'c',
      declared: true,
      observed: false,
      call_count: 0,
      error_count: 0,
      p95_duration_nano: null,
    });
  });

  it('keeps an observed edge that nobody declared', () => {
    const [edge] = mergeEdges([observed], []);

    expect(edge?.declared).toBe(false);
    expect(edge?.observed).toBe(true);
  });
});
