import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteKey, routeKey } from '#shared/routes.js';
import {
  hostileBodyText,
  hostileItem,
  hostileString,
  mutate,
  mutation,
  surrogateChange,
  withSurrogate,
} from './arbitraries.js';
import { QUERY_PARAMS, VALID_BODIES, VALID_PARAMS } from './documents.js';
import {
  bodyOf,
  expectHandled,
  type FuzzEnv,
  invoke,
  runs,
  startFuzzEnv,
  T0_MS,
} from './support.js';

const jsonRoutes = ROUTES.filter((route) => !route.path.startsWith('/v1/'));
const withBody = jsonRoutes
  .filter((route) => route.method === 'POST' || route.method === 'PUT')
  .map(routeKey);
const reads = jsonRoutes
  .filter((route) => route.method === 'GET')
  .map(routeKey);
const withParams = jsonRoutes.filter((route) => route.path.includes('{'));

/** Valid values for the `{name}` segments of a route's path. */
function paramsOf(key: RouteKey): Record<string, string> {
  const names = [...key.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? '');
  return Object.fromEntries(names.map((name) => [name, VALID_PARAMS[name]]));
}

/** Generates query strings of known and arbitrary names, any values. */
function queryOf(key: RouteKey) {
  const names = QUERY_PARAMS[key] ?? [];
  const name = names.length
    ? fc.oneof(fc.constantFrom(...names), hostileString)
    : hostileString;
  return fc.dictionary(name, hostileString, { maxKeys: 5 });
}

let env: FuzzEnv;
let unique = 0;
const nextId = () => {
  unique += 1;
  return unique;
};

beforeAll(async () => {
  env = await startFuzzEnv();
});

afterAll(async () => {
  await env.close();
});

describe('JSON API under arbitrary input', () => {
  it.each(withBody)('%s answers any body below 500', async (key) => {
    await fc.assert(
      fc.asyncProperty(hostileBodyText, async (body) => {
        const params = paramsOf(key);
        expectHandled(await invoke(env, key, { body, params }));
      }),
      runs(20),
    );
  });

  it.each(withBody.filter((key) => VALID_BODIES[key] !== undefined))(
    '%s answers mutations of a valid body below 500',
    async (key) => {
      await fc.assert(
        fc.asyncProperty(mutation, async (change) => {
          const body = JSON.stringify(mutate(VALID_BODIES[key], change));
          const params = paramsOf(key);
          expectHandled(await invoke(env, key, { body, params }));
        }),
        runs(20),
      );
    },
  );

  it.each(withBody.filter((key) => VALID_BODIES[key] !== undefined))(
    '%s answers lone surrogates below 500',
    async (key) => {
      await fc.assert(
        fc.asyncProperty(surrogateChange, async (change) => {
          const document = withSurrogate(VALID_BODIES[key], change);
          const body = JSON.stringify(document);
          const params = paramsOf(key);
          expectHandled(await invoke(env, key, { body, params }));
        }),
        runs(10),
      );
    },
  );

  it.each(reads)('%s answers any query string below 500', async (key) => {
    await fc.assert(
      fc.asyncProperty(queryOf(key), async (query) => {
        const params = paramsOf(key);
        expectHandled(await invoke(env, key, { query, params }));
      }),
      runs(20),
    );
  });

  it.each(withParams.map(routeKey))(
    '%s answers any path parameter below 500',
    async (key) => {
      const names = Object.keys(paramsOf(key));
      const params = fc.record(
        Object.fromEntries(names.map((name) => [name, hostileString])),
      );
      await fc.assert(
        fc.asyncProperty(params, async (values) => {
          const body = JSON.stringify(VALID_BODIES[key] ?? {});
          expectHandled(await invoke(env, key, { params: values, body }));
        }),
        runs(10),
      );
    },
  );
});

/** Items of any shape with one valid item at a random place among them. */
const around = (valid: () => unknown) =>
  fc
    .tuple(fc.array(hostileItem, { maxLength: 6 }), fc.nat())
    .map(([junk, at]) => {
      const index = at % (junk.length + 1);
      const items = [...junk];
      items.splice(index, 0, valid());
      return { items, index };
    });

describe('batches with invalid items', () => {
  it('stores a valid metric point among invalid ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        around(() => metricPoint(nextId())),
        async ({ items, index }) => {
          const point = items[index] as { name: string };
          const result = await invoke(
            env,
            'POST /api/observatory/metrics/ingest/batch',
            { body: JSON.stringify({ points: items }) },
          );

          expectHandled(result);
          expect(rejectedIndexes(result)).not.toContain(index);
          const metrics = await env.stores.metrics.listMetrics({
            service: 'fuzz-batch',
            limit: 1_000,
          });
          expect(metrics.map((m) => m.name)).toContain(point.name);
        },
      ),
      runs(15),
    );
  });

  it('stores a valid span among invalid ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        around(() => fuzzSpan(nextId())),
        async ({ items, index }) => {
          const span = items[index] as { trace_id: string };
          const result = await invoke(
            env,
            'POST /api/observatory/traces/spans/ingest',
            { body: JSON.stringify({ spans: items }) },
          );

          expectHandled(result);
          expect(rejectedIndexes(result)).not.toContain(index);
          const stored = await env.stores.traces.getTrace(span.trace_id);
          expect(stored).toHaveLength(1);
        },
      ),
      runs(15),
    );
  });

  it('stores a valid log record among invalid ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        around(() => fuzzLog(nextId())),
        async ({ items, index }) => {
          const log = items[index] as { message: string };
          const result = await invoke(
            env,
            'POST /api/observatory/logs/ingest/batch',
            { body: JSON.stringify({ logs: items }) },
          );

          expectHandled(result);
          expect(rejectedIndexes(result)).not.toContain(index);
          const found = await env.stores.logs.search({
            start_ms: T0_MS - 60_000,
            end_ms: T0_MS,
            text: log.message,
            limit: 10,
          });
          expect(found.items).toHaveLength(1);
        },
      ),
      runs(15),
    );
  });
});

function rejectedIndexes(result: { body?: string }): number[] {
  const body = bodyOf(result as never);
  return (body.rejected ?? []).map((item: { index: number }) => item.index);
}

function metricPoint(n: number) {
  return {
    service: 'fuzz-batch',
    name: `fuzz.metric.${n}`,
    type: 'gauge',
    value: n,
    timestamp: T0_MS - 1_000,
  };
}

function fuzzSpan(n: number) {
  return {
    trace_id: n.toString(16).padStart(32, 'f'),
    span_id: n.toString(16).padStart(16, 'e'),
    service: 'fuzz-batch',
    name: 'GET /fuzz',
    start_time: T0_MS - 2_000,
    end_time: T0_MS - 1_000,
  };
}

function fuzzLog(n: number) {
  return {
    service: 'fuzz-batch',
    message: `fuzz-log-${n}-marker`,
    timestamp: T0_MS - 1_000,
  };
}
