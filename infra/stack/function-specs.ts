import { Duration } from 'aws-cdk-lib';
import type { Domain } from '#shared/routes.js';
import type { StoreName } from '#shared/store/open.js';

/** Every Lambda function of the API: one per route domain, plus the authorizer. */
export type FunctionName = Domain | 'authorizer';

/** Entry, stores and size of one function. */
export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /**
   * Stores the handler opens. The function gets their settings and
   * permissions and no others; each handler passes the same list to
   * `lazyHandler`, which the infra tests check.
   */
  stores: readonly StoreName[];
  memoryMiB: number;
  timeout: Duration;
  description: string;
}

/**
 * API Gateway HTTP APIs stop waiting for an integration after 30 seconds,
 * so a handler gets slightly less and does not run on after the client
 * has received a 503.
 */
const API_TIMEOUT = Duration.seconds(28);

/**
 * Sizes are starting points: Lambda gives CPU in proportion to memory, so
 * functions that decode, aggregate or assemble large payloads get more.
 */
export const FUNCTION_SPECS: Record<FunctionName, FunctionSpec> = {
  health: {
    entry: 'functions/health/handler.ts',
    stores: [],
    memoryMiB: 128,
    timeout: Duration.seconds(5),
    description: 'Observatory liveness check',
  },
  authorizer: {
    entry: 'functions/authorizer/handler.ts',
    stores: ['config'],
    memoryMiB: 256,
    timeout: Duration.seconds(5),
    description: 'Observatory API key authorizer',
  },
  keys: {
    entry: 'functions/keys/handler.ts',
    stores: ['config'],
    memoryMiB: 256,
    timeout: Duration.seconds(10),
    description: 'Observatory API keys',
  },
  metrics: {
    entry: 'functions/metrics/handler.ts',
    stores: ['metrics'],
    memoryMiB: 1024,
    timeout: API_TIMEOUT,
    description: 'Observatory metric ingest and queries',
  },
  traces: {
    entry: 'functions/traces/handler.ts',
    stores: ['traces', 'topology'],
    memoryMiB: 1024,
    timeout: API_TIMEOUT,
    description: 'Observatory trace ingest, reads and analysis',
  },
  logs: {
    entry: 'functions/logs/handler.ts',
    stores: ['logs'],
    memoryMiB: 1024,
    timeout: API_TIMEOUT,
    description: 'Observatory log ingest and search',
  },
  services: {
    entry: 'functions/services/handler.ts',
    stores: ['config', 'topology', 'traces'],
    memoryMiB: 512,
    timeout: API_TIMEOUT,
    description: 'Observatory service catalog, health and topology',
  },
  firehose: {
    entry: 'functions/firehose/handler.ts',
    stores: ['metrics', 'traces', 'logs', 'topology'],
    memoryMiB: 1024,
    timeout: API_TIMEOUT,
    description: 'Observatory Firehose HTTP endpoint',
  },
  otlp: {
    entry: 'functions/otlp/handler.ts',
    stores: ['metrics', 'traces', 'logs', 'topology'],
    memoryMiB: 1024,
    timeout: API_TIMEOUT,
    description: 'Observatory OTLP/HTTP receiver',
  },
};

/**
 * The custom resource function that stores the log index template and
 * retention policy on each deploy.
 */
export const LOG_INDEX_SETUP_SPEC: FunctionSpec = {
  entry: 'infra/stack/log-index/handler.ts',
  stores: ['logs'],
  memoryMiB: 256,
  timeout: Duration.minutes(2),
  description: 'Observatory log index template and retention policy',
};

/** The function that reads the Kinesis ingest stream. */
export const STREAM_INGEST_SPEC: FunctionSpec = {
  entry: 'functions/stream-ingest/handler.ts',
  stores: ['metrics', 'traces', 'logs', 'topology'],
  memoryMiB: 1024,
  timeout: Duration.minutes(2),
  description: 'Observatory Kinesis stream ingest',
};

/** Function names in a fixed order, for loops and tests. */
export const FUNCTION_NAMES = Object.keys(FUNCTION_SPECS) as FunctionName[];
