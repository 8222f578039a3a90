import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

/** Log levels that Powertools Logger reads from POWERTOOLS_LOG_LEVEL. */
export const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'CRITICAL',
  'SILENT',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How long each signal and the CloudWatch logs are kept. */
export interface RetentionSettings {
  /**
   * Hours a metric point stays in the Timestream memory store, which takes
   * writes and answers recent queries fastest.
   * @default 24
   */
  readonly metricMemoryHours?: number;
  /**
   * Days a metric point stays in the Timestream magnetic store.
   * @default 365
   */
  readonly metricMagneticDays?: number;
  /**
   * Days a daily log index stays in OpenSearch before it is deleted.
   * @default 14
   */
  readonly logDays?: number;
  /**
   * Days the Lambda logs and API access logs stay in CloudWatch Logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly cloudWatchLogs?: RetentionDays;
}

/** Where metrics are stored. */
export interface MetricStoreSettings {
  /**
   * A Timestream database and table that already exist. When set, the
   * stack creates none, and the retention settings above must match the
   * table's.
   * @default - the stack creates a database and a table
   */
  readonly existing?: { databaseName: string; tableName: string };
  /**
   * Whether the table accepts points older than the memory store
   * retention, which Timestream otherwise rejects.
   * @default true
   */
  readonly magneticWrites?: boolean;
}

/** Size of the OpenSearch domain that stores logs. */
export interface SearchDomainSettings {
  /**
   * Data node instance type.
   * @default 't3.small.search'
   */
  readonly instanceType?: string;
  /**
   * Number of data nodes. Two or more spread over two Availability
   * Zones, which needs an even count.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * gp3 volume per data node, in GiB.
   * @default 10
   */
  readonly volumeGiB?: number;
}

/** Request limits of the API's default stage. */
export interface ApiThrottleSettings {
  /**
   * Steady-state requests per second.
   * @default 500
   */
  readonly rateLimit?: number;
  /**
   * Requests that may arrive at once above the steady rate.
   * @default 1000
   */
  readonly burstLimit?: number;
}

/** Every setting the stack takes; each optional one has a default. */
export interface ObservatorySettings {
  /**
   * Name of this deployment: lower-case letters, digits and `-`, at most
   * 16 characters. It is part of the stack and domain names.
   * @default 'dev'
   */
  readonly stage?: string;
  /**
   * What happens to the stored data when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Email address that receives the alarms.
   * @default - the alarm topic has no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Origins that browsers may call the API from.
   * @default - no CORS headers
   */
  readonly corsOrigins?: string[];
  /**
   * Level of the functions' JSON logs.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /** @default - see each field */
  readonly retention?: RetentionSettings;
  /** @default - see each field */
  readonly metricStore?: MetricStoreSettings;
  /** @default - see each field */
  readonly search?: SearchDomainSettings;
  /** @default - see each field */
  readonly throttle?: ApiThrottleSettings;
}

/** Raised when a context value is invalid; the message names the key. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/** A stage name fits a domain name: `observatory-` has 12 of its 28. */
const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

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
  };
}

/** Settings with every default filled in. */
export interface ResolvedSettings {
  stage: string;
  removalPolicy: RemovalPolicy;
  alarmEmail: string | undefined;
  corsOrigins: string[];
  logLevel: LogLevel;
  retention: Required<RetentionSettings>;
  metricStore: {
    existing: MetricStoreSettings['existing'];
    magneticWrites: boolean;
  };
  search: Required<SearchDomainSettings>;
  throttle: Required<ApiThrottleSettings>;
}

/** Fills in the documented defaults and checks the stage name. */
export function resolveSettings(
  settings: ObservatorySettings,
): ResolvedSettings {
  const stage = settings.stage ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new ContextError(
      `invalid stage ${JSON.stringify(stage)}: expected 1-16 of a-z, 0-9 ` +
        'and -, starting with a letter',
    );
  }
  const { retention = {}, metricStore = {}, search = {} } = settings;
  return {
    stage,
    removalPolicy: settings.removalPolicy ?? RemovalPolicy.RETAIN,
    alarmEmail: settings.alarmEmail,
    corsOrigins: settings.corsOrigins ?? [],
    logLevel: settings.logLevel ?? 'INFO',
    retention: {
      metricMemoryHours: retention.metricMemoryHours ?? 24,
      metricMagneticDays: retention.metricMagneticDays ?? 365,
      logDays: retention.logDays ?? 14,
      cloudWatchLogs: retention.cloudWatchLogs ?? RetentionDays.ONE_MONTH,
    },
    metricStore: {
      existing: metricStore.existing,
      magneticWrites: metricStore.magneticWrites ?? true,
    },
    search: {
      instanceType: search.instanceType ?? 't3.small.search',
      instanceCount: search.instanceCount ?? 1,
      volumeGiB: search.volumeGiB ?? 10,
    },
    throttle: {
      rateLimit: settings.throttle?.rateLimit ?? 500,
      burstLimit: settings.throttle?.burstLimit ?? 1000,
    },
  };
}
