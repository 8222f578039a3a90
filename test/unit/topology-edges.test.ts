import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import type { Span } from '#shared/model/span.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import {
  deriveEdges,
  observedServices,
  spanKey,
} from '#shared/topology/edges.js';
import { recordTopology } from '#shared/topology/record.js';
import { ingestSpans } from '#shared/traces/ingest.js';
import { TEST_CONFIG } from '#test/support/server.js';
import { MS, makeSpan } from '#test/support/spans.js';

const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const T0 = BigInt(T0_MS) * MS;
const TRACE = '7ca373f7c7e0f17df9965485593768ce';
const HOUR = 3_600_000n * MS;

/** The child (svc-b) of the orphan-then-parent case. */
const CHILD = makeSpan({
  trace_id: TRACE,
  span_id: '46dfdbccdb1ddb89',
  parent_span_id: '82a3dd7705c4527d',
  service: 'svc-b',
  kind: 'server',
  start_time_unix_nano: T0 + 10n * MS,
  end_time_unix_nano: T0 + 20n * MS,
});

/** Its parent in svc-a. */
const PARENT = makeSpan({
  trace_id: TRACE,
  span_id: '82a3dd7705c4527d',
  service: 'svc-a',
  kind: 'client',
  start_time_unix_nano: T0,
  end_time_unix_nano: T0 + 30n * MS,
});

describe('deriveEdges', () => {
  it('gives an edge from the parent service to the child', () => {
    expect(deriveEdges([CHILD, PARENT])).toEqual([
      {
        trace_id: TRACE,
        child_span_id: '46dfdbccdb1ddb89',
        source: 'svc-a',
        target: 'svc-b',
        time_unix_nano: T0 + 10n * MS,
        duration_nano: 10n * MS,
        failed: false,
      },
    ]);
  });

  it('gives no edge while the parent is missing', () => {
    expect(deriveEdges([CHILD])).toEqual([]);
  });

  it('gives no edge for a parent in the same service', () => {
    const sameService = { ...PARENT, service: 'svc-b' };

    expect(deriveEdges([CHILD, sameService])).toEqual([]);
  });

  it('gives no edge across traces with the same span ids', () => {
    const otherTrace = { ...PARENT, trace_id: 'a'.repeat(32) };

    expect(deriveEdges([CHILD, otherTrace])).toEqual([]);
  });

  it.each([
    ['the parent', { parent: 'error', child: 'unset' }],
    ['the child', { parent: 'ok', child: 'error' }],
  ] as const)('marks the call failed when %s has an error', (_n, codes) => {
    const parent = { ...PARENT, status: { code: codes.parent, message: '' } };
    const child = { ...CHILD, status: { code: codes.child, message: '' } };

    expect(deriveEdges([parent, child])[0]?.failed).toBe(true);
  });

  it.each([
    ['clock skew', { end_time_unix_nano: T0 }],
    ['no end time', { end_time_unix_nano: 0n }],
  ])('leaves the duration unknown for %s', (_name, times) => {
    const child = makeSpan({ ...CHILD, ...times });

    expect(deriveEdges([PARENT, child])[0]?.duration_nano).toBeNull();
  });

  it('uses the first of spans with the same key', () => {
    const later = { ...CHILD, service: 'svc-c' };

    const edges = deriveEdges([CHILD, later, PARENT]);
    expect(edges.map((e) => e.target)).toEqual(['svc-b']);
  });

  it('keeps only pairs with a touched span', () => {
    const grandchild = makeSpan({
      trace_id: TRACE,
      span_id: '1111111111111111',
      parent_span_id: CHILD.span_id,
      service: 'svc-c',
    });
    const touched = new Set([spanKey(TRACE, grandchild.span_id)]);

    const edges = deriveEdges([PARENT, CHILD, grandchild], touched);
    expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'svc-b>svc-c',
    ]);
  });
});

describe('observedServices', () => {
  it('takes the earliest and latest start per service', () => {
    const late = { ...PARENT, start_time_unix_nano: T0 + 5_000n * MS };

    expect(observedServices([PARENT, CHILD, late])).toEqual([
      { service: 'svc-a', first_seen_ms: T0_MS, last_seen_ms: T0_MS + 5_000 },
      { service: 'svc-b', first_seen_ms: T0_MS + 10, last_seen_ms: T0_MS + 10 },
    ]);
  });
});

describe('recordTopology on ingest', () => {
  let deps: Deps;

  beforeEach(async () => {
    const logger = createLogger('topology-test');
    logger.setLogLevel('SILENT');
    deps = {
      config: TEST_CONFIG,
      stores: await openDuckDbStores(':memory:'),
      clock: fixedClock(NOW_MS),
      logger,
    };
  });
  afterEach(() => deps.stores.close());

  const edges = () =>
    deps.stores.topology.edgeStats({
      start_ms: T0_MS - 60_000,
      end_ms: NOW_MS,
    });
  const send = (...spans: Span[]) => ingestSpans(deps, spans);

  it('records no edge for a child without its parent', async () => {
    await send(CHILD);

    expect(await edges()).toEqual([]);
  });

  it('records the edge once the parent arrives after the child', async () => {
    await send(CHILD);
    await send(PARENT);

    const [edge, ...rest] = await edges();
    expect(rest).toEqual([]);
    expect(edge?.source).toBe('svc-a');
    expect(edge?.target).toBe('svc-b');
    expect(edge?.call_count).toBe(1);
  });

  it('records the edge when the parent arrives first', async () => {
    await send(PARENT);
    await send(CHILD);

    const result = await edges();
    expect(result.map((e) => [e.source, e.target, e.call_count])).toEqual([
      ['svc-a', 'svc-b', 1],
    ]);
  });

  it('counts re-sent spans once', async () => {
    await send(CHILD);
    await send(PARENT);
    await send(CHILD, PARENT);
    await send(PARENT);

    expect((await edges())[0]?.call_count).toBe(1);
  });

  it('records no edge within one service', async () => {
    await send(CHILD, { ...PARENT, service: 'svc-b' });

    expect(await edges()).toEqual([]);
  });

  it('records the services seen in spans', async () => {
    await send(CHILD);

    const seen = await deps.stores.topology.getService('svc-b');
    expect(seen?.first_seen_ms).toBe(T0_MS + 10);
    expect(await deps.stores.topology.getService('svc-a')).toBeUndefined();
  });

  it('records the edges of 2,001 traces in one batch', async () => {
    const traceCount = 2_001;
    const spans = Array.from({ length: traceCount }, (_, i) => {
      const traceId = (i + 1).toString(16).padStart(32, '0');
      return [
        { ...PARENT, trace_id: traceId },
        { ...CHILD, trace_id: traceId },
      ];
    }).flat();

    await send(...spans);

    expect((await edges())[0]?.call_count).toBe(traceCount);
  });

  it('uses the stored span of a repeated id', async () => {
    await send(CHILD);
    await send({ ...CHILD, service: 'svc-c' }, PARENT);

    const result = await edges();
    expect(result.map((e) => `${e.source}>${e.target}`)).toEqual([
      'svc-a>svc-b',
    ]);
  });

  it('records the edge when the parent starts hours before', async () => {
    const longParent = {
      ...PARENT,
      start_time_unix_nano: T0 - 3n * HOUR,
      end_time_unix_nano: T0 + 30n * MS,
      duration_nano: 3n * HOUR + 30n * MS,
    };
    await send(CHILD);

    await send(longParent);

    const result = await deps.stores.topology.edgeStats({
      start_ms: T0_MS - 60_000,
      end_ms: NOW_MS,
    });
    expect(result.map((e) => [e.source, e.target, e.call_count])).toEqual([
      ['svc-a', 'svc-b', 1],
    ]);
  });

  it.each([
    ['hold the pair', [CHILD, PARENT], 1],
    ['lack the parent', [CHILD], 0],
  ])('records edges from related spans that %s', async (_n, related, n) => {
    await recordTopology(deps, [{ span: CHILD }], related);

    expect(await edges()).toHaveLength(n);
  });

  it('does nothing for an empty batch', async () => {
    await recordTopology(deps, [], []);

    expect(await deps.stores.topology.listServices({ limit: 10 })).toEqual([]);
  });
});
