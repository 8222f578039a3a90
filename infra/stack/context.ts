import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';
import {
  ContextError,
  type IngestStreamSetting,
  LOG_LEVELS,
  type MetricStoreSettings,
  type ObservatorySettings,
  STAGE_PATTERN,
} from './settings.js';

const RETENTION_VALUES = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number',
);

const count = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional();

const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((value) => value === true || value === 'true')
  .optional();

const name = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{3,256}$/, 'expected 3-256 letters, digits, _ . -')
  .optional();

const origins = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^(\*|https?:\/\/[^/\s]+)$/,
          'expected * or an origin such as https://app.example.com',
        ),
    ),
  )
  .optional();

const serviceMap = z
  .union([z.record(z.string(), z.string().min(1)), z.string()])
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      const parsed = z
        .record(z.string(), z.string().min(1))
        .safeParse(JSON.parse(value));
      if (parsed.success) return parsed.data;
    } catch {
      // Reported below with the expected shape.
    }
    ctx.addIssue({
      code: 'custom',
      message:
        'expected a JSON object of log group names to service names, such ' +
        'as {"/ecs/checkout":"checkout"}',
    });
    return z.NEVER;
  })
  .optional();

const streamArn = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[\w.-]+$/;

/** Context keys (`cdk deploy -c key=value` or cdk.json) and their rules. */
const contextSchema = z.object({
  stage: z
    .string()
    .regex(STAGE_PATTERN, 'expected 1-16 of a-z, 0-9 and -, from a letter')
    .optional(),
  removalPolicy: z.enum(['retain', 'destroy']).optional(),
  alarmEmail: z.email().optional(),
  corsOrigins: origins,
  logLevel: z.enum(LOG_LEVELS).optional(),
  metricMemoryRetentionHours: count(1, 8766),
  metricMagneticRetentionDays: count(1, 73_000),
  traceRetentionDays: count(1, 3650),
  logRetentionDays: count(1, 3650),
  cloudWatchLogRetentionDays: z.coerce
    .number()
    .refine((days) => RETENTION_VALUES.includes(days as RetentionDays), {
      message: `expected one of ${RETENTION_VALUES.join(', ')}`,
    })
    .optional(),
  timestreamDatabase: name,
  timestreamTable: name,
  metricMagneticWrites: flag,
  openSearchInstanceType: z
    .string()
    .regex(
      /^[a-z0-9]+\.[a-z0-9]+\.search$/,
      'expected a type such as m7g.large.search',
    )
    .optional(),
  openSearchInstanceCount: count(1, 80),
  openSearchVolumeGiB: count(10, 16_384),
  throttleRateLimit: count(1, 100_000),
  throttleBurstLimit: count(1, 100_000),
  ingestStream: z
    .union([z.enum(['create', 'none']), z.string().regex(streamArn)], {
      error: 'expected create, none or the ARN of a Kinesis stream',
    })
    .optional(),
  ingestStreamShards: count(1, 500),
  logGroupServices: serviceMap,
});

/** The context keys the app reads. */
export const CONTEXT_KEYS = Object.keys(contextSchema.shape);

type Context = z.output<typeof contextSchema>;

/** Renders an issue path as `corsOrigins[1]`. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`,
    )
    .join('');
}

function readContext(node: Node): Context {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }

  const parsed = contextSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${pathText(issue.path)}: ${issue.message}`,
  );
  throw new ContextError(
    `invalid context value(s): ${problems.join('; ')}; fix them in ` +
      'cdk.json or in the -c key=value options',
  );
}

function metricStoreOf(context: Context): MetricStoreSettings {
  const { timestreamDatabase: databaseName, timestreamTable: tableName } =
    context;
  if ((databaseName === undefined) !== (tableName === undefined)) {
    throw new ContextError(
      'invalid context: timestreamDatabase and timestreamTable name an ' +
        'existing table together; set both or neither',
    );
  }
  return {
    existing:
      databaseName && tableName ? { databaseName, tableName } : undefined,
    magneticWrites: context.metricMagneticWrites,
  };
}

function ingestStreamOf(context: Context): IngestStreamSetting {
  const stream = context.ingestStream ?? 'create';
  if (stream === 'none') return { kind: 'none' };
  if (stream === 'create') {
    return { kind: 'create', shards: context.ingestStreamShards ?? 1 };
  }
  return { kind: 'existing', streamArn: stream };
}

/** Reads the stack settings from the app's context, validating each. */
export function settingsFromContext(node: Node): ObservatorySettings {
  const context = readContext(node);
  return {
    stage: context.stage,
    removalPolicy:
      context.removalPolicy === 'destroy'
        ? RemovalPolicy.DESTROY
        : RemovalPolicy.RETAIN,
    alarmEmail: context.alarmEmail,
    corsOrigins: context.corsOrigins,
    logLevel: context.logLevel,
    retention: {
      metricMemoryHours: context.metricMemoryRetentionHours,
      metricMagneticDays: context.metricMagneticRetentionDays,
      traceDays: context.traceRetentionDays,
      logDays: context.logRetentionDays,
      cloudWatchLogs: context.cloudWatchLogRetentionDays as
        | RetentionDays
        | undefined,
    },
    metricStore: metricStoreOf(context),
    search: {
      instanceType: context.openSearchInstanceType,
      instanceCount: context.openSearchInstanceCount,
      volumeGiB: context.openSearchVolumeGiB,
    },
    throttle: {
      rateLimit: context.throttleRateLimit,
      burstLimit: context.throttleBurstLimit,
    },
    ingestStream: ingestStreamOf(context),
    logGroupServices: context.logGroupServices,
  };
}
