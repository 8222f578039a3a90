import { z } from 'zod';
import { ObservatoryError } from './errors.js';

/** Raised at cold start when the environment is missing or invalid. */
export class ConfigError extends ObservatoryError {
  constructor(message: string, details: { path: string; message: string }[]) {
    super(500, 'invalid_configuration', message, { details });
  }
}

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

const optionalText = z.string().trim().min(1).optional();

/**
 * A JSON object of strings, such as a map from CloudWatch Logs group names
 * to service names. Empty or unset is an empty map.
 */
const jsonStringMap = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return {};
    try {
      const value: unknown = JSON.parse(text);
      const parsed = z.record(z.string(), z.string().min(1)).safeParse(value);
      if (parsed.success) return parsed.data;
    } catch {
      // Reported below with the expected shape.
    }
    ctx.addIssue({
      code: 'custom',
      message:
        'expected a JSON object of non-empty strings, such as ' +
        '{"/aws/lambda/checkout": "checkout"}',
    });
    return z.NEVER;
  });

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((value) => value === 'true' || value === '1');

const envSchema = z.object({
  STORAGE: z.enum(['duckdb', 'aws']).default('duckdb'),
  OBSERVATORY_DATA_DIR: z.string().min(1).default('./.observatory'),
  OBSERVATORY_INGEST_MAX_AGE_HOURS: positiveInt(7 * 24),
  OBSERVATORY_INGEST_MAX_FUTURE_MINUTES: positiveInt(10),
  AWS_REGION: optionalText,
  OBSERVATORY_TRACES_TABLE: optionalText,
  OBSERVATORY_CONFIG_TABLE: optionalText,
  OBSERVATORY_TIMESTREAM_DATABASE: optionalText,
  OBSERVATORY_TIMESTREAM_TABLE: optionalText,
  OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES: flag,
  OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS: positiveInt(24),
  OBSERVATORY_TRACE_RETENTION_DAYS: positiveInt(30),
  OBSERVATORY_OPENSEARCH_ENDPOINT: z.url().optional(),
  OBSERVATORY_OPENSEARCH_SERVICE: z.enum(['es', 'aoss']).default('es'),
  OBSERVATORY_LOG_INDEX_PREFIX: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]*$/,
      'expected lower-case letters, digits, - or _',
    )
    .default('observatory-logs'),
  OBSERVATORY_DYNAMODB_ENDPOINT: z.url().optional(),
  OBSERVATORY_TIMESTREAM_WRITE_ENDPOINT: z.url().optional(),
  OBSERVATORY_TIMESTREAM_QUERY_ENDPOINT: z.url().optional(),
  OBSERVATORY_FIREHOSE_ACCESS_KEY: optionalText,
  OBSERVATORY_LOG_GROUP_SERVICES: jsonStringMap,
  OBSERVATORY_STREAM_DLQ_URL: z.url().optional(),
});

type Env = z.output<typeof envSchema>;

/**
 * Settings of the AWS stores. Each adapter checks the ones it needs when a
 * function that uses it starts, so a function only needs its own.
 */
export interface AwsConfig {
  region: string | undefined;
  tracesTable: string | undefined;
  configTable: string | undefined;
  timestreamDatabase: string | undefined;
  timestreamTable: string | undefined;
  /** Whether the table accepts records older than the memory store. */
  timestreamMagneticWrites: boolean;
  timestreamMemoryRetentionHours: number;
  /**
   * Days trace-table items (spans, summaries, topology) are kept after
   * their event time, through the `expires_at` TTL attribute.
   */
  traceRetentionDays?: number;
  opensearchEndpoint: string | undefined;
  /** `es` for a managed domain, `aoss` for a Serverless collection. */
  opensearchService: 'es' | 'aoss';
  logIndexPrefix: string;
  /** Endpoint overrides, for emulators and fakes on 127.0.0.1. */
  endpoints: {
    dynamodb: string | undefined;
    timestreamWrite: string | undefined;
    timestreamQuery: string | undefined;
  };
}

/** Typed configuration, parsed once from the environment at cold start. */
export interface Config {
  storage: 'duckdb' | 'aws';
  dataDir: string;
  /** How far in the past an ingested timestamp may lie, in milliseconds. */
  ingestMaxAgeMs: number;
  /** How far in the future an ingested timestamp may lie, in milliseconds. */
  ingestMaxFutureMs: number;
  aws: AwsConfig;
  streams: StreamConfig;
}

/** Settings of stream ingestion: Kinesis records and Firehose deliveries. */
export interface StreamConfig {
  /**
   * The key Firehose sends in `X-Amz-Firehose-Access-Key`. Without it the
   * Firehose route rejects every request.
   */
  firehoseAccessKey: string | undefined;
  /** Service name per CloudWatch Logs group, overriding the default. */
  logGroupServices: Record<string, string>;
  /**
   * SQS queue that receives records which can never be stored; without it
   * they are only logged.
   */
  deadLetterQueueUrl: string | undefined;
}

function awsConfigOf(vars: Env): AwsConfig {
  return {
    region: vars.AWS_REGION,
    tracesTable: vars.OBSERVATORY_TRACES_TABLE,
    configTable: vars.OBSERVATORY_CONFIG_TABLE,
    timestreamDatabase: vars.OBSERVATORY_TIMESTREAM_DATABASE,
    timestreamTable: vars.OBSERVATORY_TIMESTREAM_TABLE,
    timestreamMagneticWrites: vars.OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES,
    timestreamMemoryRetentionHours:
      vars.OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS,
    traceRetentionDays: vars.OBSERVATORY_TRACE_RETENTION_DAYS,
    opensearchEndpoint: vars.OBSERVATORY_OPENSEARCH_ENDPOINT,
    opensearchService: vars.OBSERVATORY_OPENSEARCH_SERVICE,
    logIndexPrefix: vars.OBSERVATORY_LOG_INDEX_PREFIX,
    endpoints: {
      dynamodb: vars.OBSERVATORY_DYNAMODB_ENDPOINT,
      timestreamWrite: vars.OBSERVATORY_TIMESTREAM_WRITE_ENDPOINT,
      timestreamQuery: vars.OBSERVATORY_TIMESTREAM_QUERY_ENDPOINT,
    },
  };
}

/** Parses `env` into a {@link Config}, naming each invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    const names = details.map((detail) => detail.path).join(', ');
    throw new ConfigError(`invalid environment variable(s): ${names}`, details);
  }

  const vars = parsed.data;
  return {
    storage: vars.STORAGE,
    dataDir: vars.OBSERVATORY_DATA_DIR,
    ingestMaxAgeMs: vars.OBSERVATORY_INGEST_MAX_AGE_HOURS * 3_600_000,
    ingestMaxFutureMs: vars.OBSERVATORY_INGEST_MAX_FUTURE_MINUTES * 60_000,
    aws: awsConfigOf(vars),
    streams: {
      firehoseAccessKey: vars.OBSERVATORY_FIREHOSE_ACCESS_KEY,
      logGroupServices: vars.OBSERVATORY_LOG_GROUP_SERVICES,
      deadLetterQueueUrl: vars.OBSERVATORY_STREAM_DLQ_URL,
    },
  };
}

/**
 * Returns a setting an adapter cannot run without, or fails naming the
 * environment variable to set.
 */
export function requireSetting(
  value: string | undefined,
  variable: string,
): string {
  if (value) return value;
  throw new ConfigError(
    `missing environment variable ${variable}; set it for STORAGE=aws`,
    [{ path: variable, message: 'missing' }],
  );
}
