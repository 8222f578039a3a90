import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import fc from 'fast-check';
import { expect } from 'vitest';
import { localContext } from '#infra/local/event.js';
import { buildHandlers } from '#infra/local/handlers.js';
import { fixedClock } from '#shared/clock.js';
import type { Deps, HttpHandler } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { ROUTES, type Route, type RouteKey, routeKey } from '#shared/routes.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';
import { T0_NANO } from '#test/fixtures/otlp/requests.js';
import { TEST_CONFIG } from '#test/support/server.js';

/** The fixed clock of the fuzz suites: the T0 of the OTLP fixtures. */
export const T0_MS = Number(T0_NANO / 1_000_000n);

/**
 * Seed of every property, so a failure replays exactly. fast-check prints
 * it with the counterexample; set FUZZ_SEED to explore other inputs.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_115);

/** Maximum length of the counterexample text a failure quotes. */
const MAX_QUOTED = 2_000;

/**
 * Fails with the seed, the path to replay and a counterexample cut to
 * {@link MAX_QUOTED} characters: generated strings reach 300,000.
 */
function report(details: fc.RunDetails<unknown>): void {
  if (!details.failed) return;
  const example = fc.stringify(details.counterexample).slice(0, MAX_QUOTED);
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance);
  throw new Error(
    `property failed with seed ${details.seed}, path ${details.counterexamplePath}` +
      ` (rerun with FUZZ_SEED=${details.seed}): ${cause.slice(0, MAX_QUOTED)}` +
      `\ncounterexample: ${example}`,
  );
}

/**
 * Multiplies every property's number of runs, for a longer search than
 * the suite's budget of about 30 seconds allows.
 */
const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** Parameters of one property run: the fixed seed and `numRuns` inputs. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return {
    seed: FUZZ_SEED,
    numRuns: Math.ceil(numRuns * FUZZ_SCALE),
    endOnFailure: true,
    reporter: report,
  };
}

/** The domain handlers over in-memory DuckDB, called without HTTP. */
export interface FuzzEnv {
  handlers: Record<string, HttpHandler>;
  stores: Stores;
  close(): Promise<void>;
}

export async function startFuzzEnv(): Promise<FuzzEnv> {
  const stores = await openDuckDbStores(':memory:');
  const logger = createLogger('observatory-fuzz');
  logger.setLogLevel((process.env.FUZZ_LOG_LEVEL as never) ?? 'SILENT');
  const deps: Deps = {
    config: TEST_CONFIG,
    stores,
    clock: fixedClock(T0_MS),
    logger,
  };
  return {
    handlers: buildHandlers(deps),
    stores,
    close: () => stores.close(),
  };
}

/** What one direct invocation sends. */
export interface FuzzRequest {
  /** Text is sent as is; a Buffer is sent base64-encoded. */
  body?: string | Buffer;
  /** Marks a text body as base64, whether or not it is. */
  base64?: boolean;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Path parameters, decoded; they are URL-encoded into the event. */
  params?: Record<string, string>;
}

function routeOf(key: RouteKey): Route {
  const route = ROUTES.find((candidate) => routeKey(candidate) === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
}

/** Encodes like encodeURIComponent, keeping lone surrogates as sent. */
function encodeParam(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

function encodeParams(params: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, encodeParam(value)]),
  );
}

/**
 * Builds the API Gateway (payload 2.0) event of a request that the
 * authorizer let through with every scope.
 */
export function apiEvent(
  key: RouteKey,
  request: FuzzRequest,
): APIGatewayProxyEventV2 {
  const route = routeOf(key);
  const binary = Buffer.isBuffer(request.body) || request.base64 === true;
  const body = Buffer.isBuffer(request.body)
    ? request.body.toString('base64')
    : request.body;
  return {
    version: '2.0',
    routeKey: key,
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...request.headers },
    queryStringParameters: request.query,
    pathParameters: request.params ? encodeParams(request.params) : undefined,
    body,
    isBase64Encoded: binary,
    requestContext: {
      accountId: 'fuzz',
      apiId: 'fuzz',
      domainName: 'localhost',
      domainPrefix: 'fuzz',
      http: {
        method: route.method,
        path: route.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fuzz',
      },
      requestId: 'fuzz-request',
      routeKey: key,
      stage: '$default',
      time: new Date(T0_MS).toISOString(),
      timeEpoch: T0_MS,
      authorizer: {
        lambda: { key_id: 'fuzz', scopes: 'ingest,read,admin' },
      },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** Calls the handler of a route directly, as Lambda would. */
export function invoke(
  env: FuzzEnv,
  key: RouteKey,
  request: FuzzRequest = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  const handler = env.handlers[routeOf(key).domain];
  if (!handler) throw new Error(`no handler for ${key}`);
  return handler(apiEvent(key, request), localContext('fuzz', 'fuzz'));
}

/**
 * Asserts the promise every handler keeps: it returns a response instead
 * of throwing, below 500, with the API's headers, and a JSON body that
 * parses (protobuf bodies are base64).
 */
export function expectHandled(result: APIGatewayProxyStructuredResultV2): void {
  expect(result.statusCode).toBeGreaterThanOrEqual(200);
  expect(result.statusCode, String(result.body).slice(0, 500)).toBeLessThan(
    500,
  );
  expect(result.headers?.['x-content-type-options']).toBe('nosniff');
  if (!result.isBase64Encoded && result.body) {
    expect(() => JSON.parse(String(result.body))).not.toThrow();
  }
}

/** Parses a JSON result body. */
export function bodyOf(result: APIGatewayProxyStructuredResultV2): any {
  return JSON.parse(String(result.body ?? 'null'));
}
