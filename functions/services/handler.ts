import { type Deps, lazyHandler } from '#shared/deps.js';
import { ValidationError } from '#shared/errors.js';
import { createDomainHandler } from '#shared/http/handler.js';
import { type ApiRequest, readBody, readQuery } from '#shared/http/request.js';
import { listCatalog } from '#shared/services/catalog.js';
import {
  readHealth,
  reportHealth,
  UNKNOWN_HEALTH,
} from '#shared/services/health.js';
import {
  allRegistrations,
  findService,
  registerService,
} from '#shared/services/registry.js';
import {
  detailQuerySchema,
  healthBodySchema,
  listQuerySchema,
  registrationSchema,
  topologyQuerySchema,
} from '#shared/services/schema.js';
import { goldenSignals } from '#shared/services/signals.js';
import {
  healthView,
  serviceView,
  topologyView,
} from '#shared/services/view.js';
import { trailingWindow } from '#shared/services/window.js';
import { walkGraph } from '#shared/topology/graph.js';
import { storeEdgeSource } from '#shared/topology/sources.js';

const DEFAULT_SIGNALS_WINDOW = '15m';
const DEFAULT_TOPOLOGY_WINDOW = '1h';

function pathServiceId(request: ApiRequest): string {
  const id = request.params.service_id ?? '';
  if (id !== '') return id;
  const message = 'missing; put the URL-encoded service name in the path';
  throw new ValidationError(`invalid path parameter service_id: ${message}`, [
    { path: 'service_id', message },
  ]);
}

async function register(deps: Deps, request: ApiRequest) {
  const registration = readBody(request, registrationSchema);
  const { record, created } = await registerService(
    deps.stores.config,
    deps.clock,
    registration,
  );
  deps.logger.info('service registered', { service: record.name, created });
  const history = await readHealth(deps.stores.config, record.name);
  const observed = await deps.stores.topology.getService(record.name);
  const view = serviceView(
    { name: record.name, record, observed },
    history[0] ?? UNKNOWN_HEALTH,
  );
  return { status: created ? 201 : 200, body: view };
}

async function list(deps: Deps, request: ApiRequest) {
  const query = readQuery(request, listQuerySchema);
  const page = await listCatalog(deps.stores, query);
  return {
    status: 200,
    body: {
      services: page.items.map((entry) => serviceView(entry, entry.health)),
      ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}),
    },
  };
}

async function detail(deps: Deps, request: ApiRequest) {
  const name = pathServiceId(request);
  const query = readQuery(request, detailQuerySchema);
  const window = trailingWindow(
    query.window,
    DEFAULT_SIGNALS_WINDOW,
    deps.clock.now(),
  );
  const known = await findService(deps.stores, name);
  const [history, signals] = await Promise.all([
    readHealth(deps.stores.config, name),
    goldenSignals(deps.stores.traces, name, window),
  ]);
  const view = serviceView(known, history[0] ?? UNKNOWN_HEALTH);
  const health = { ...view.health, history: history.map(healthView) };
  return {
    status: 200,
    body: { ...view, health, golden_signals: signals },
  };
}

async function putHealth(deps: Deps, request: ApiRequest) {
  const name = pathServiceId(request);
  const body = readBody(request, healthBodySchema);
  await findService(deps.stores, name);
  const history = await reportHealth(
    deps.stores.config,
    deps.clock,
    name,
    body,
  );
  deps.logger.info('service health reported', {
    service: name,
    status: body.status,
  });
  const current = history[0] ?? UNKNOWN_HEALTH;
  return {
    status: 200,
    body: {
      service: name,
      ...healthView(current),
      history: history.map(healthView),
    },
  };
}

async function topology(deps: Deps, request: ApiRequest) {
  const name = pathServiceId(request);
  const query = readQuery(request, topologyQuerySchema);
  const window = trailingWindow(
    query.window,
    DEFAULT_TOPOLOGY_WINDOW,
    deps.clock.now(),
  );
  await findService(deps.stores, name);
  const registrations = await allRegistrations(deps.stores.config);
  const declarations = new Map(
    [...registrations].map(([id, record]) => [id, record.dependencies]),
  );
  const source = storeEdgeSource(deps.stores.topology, declarations, window);
  const graph = await walkGraph(name, query.depth, source);
  const isRegistered = (service: string) => registrations.has(service);
  return {
    status: 200,
    body: topologyView(name, query.depth, window, graph, isRegistered),
  };
}

/** Builds the services handler: registry, health, signals and topology. */
export function createServicesHandler(deps: Deps) {
  return createDomainHandler(
    {
      'POST /api/observatory/services/register': (request) =>
        register(deps, request),
      'GET /api/observatory/services': (request) => list(deps, request),
      'GET /api/observatory/services/{service_id}': (request) =>
        detail(deps, request),
      'PUT /api/observatory/services/{service_id}/health': (request) =>
        putHealth(deps, request),
      'GET /api/observatory/services/{service_id}/topology': (request) =>
        topology(deps, request),
    },
    deps.logger,
  );
}

export const handler = lazyHandler('services', createServicesHandler, [
  'config',
  'topology',
  'traces',
]);
