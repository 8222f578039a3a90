import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

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
   * writes and serves recent queries fastest.
   * @default 24
   */
  readonly metricMemoryHours?: number;
  /**
   * Days a metric point stays in the Timestream magnetic store.
   * @default 365
   */
  readonly metricMagneticDays?: number;
  /**
   * Days spans, trace summaries and topology stay in DynamoDB after their
   * event time; DynamoDB deletes expired items within a few days.
   * @default 30
   */
  readonly traceDays?: number;
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

/** Settings of the metric store. */
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

/** The Kinesis stream that the stream-ingest function reads. */
export type IngestStreamSetting =
  | { kind: 'create'; shards: number }
  | { kind: 'existing'; streamArn: string }
  | { kind: 'none' };

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
   * Removal policy of the stored data when the stack is deleted.
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
  /**
   * The Kinesis stream of telemetry records (CloudWatch Logs
   * subscriptions, OTLP or JSON records) that the stream-ingest function
   * reads.
   * @default - a new stream with one provisioned shard
   */
  readonly ingestStream?: IngestStreamSetting;
  /**
   * Service name per CloudWatch Logs group, for logs that arrive through
   * log subscriptions.
   * @default - the service is derived from the log group name
   */
  readonly logGroupServices?: Record<string, string>;
}

/** Raised when a context value is invalid; the message names the key. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/** A stage name fits a domain name: `observatory-` has 12 of its 28. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

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
  ingestStream: IngestStreamSetting;
  logGroupServices: Record<string, string> | undefined;
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
      traceDays: retention.traceDays ?? 30,
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
    ingestStream: settings.ingestStream ?? { kind: 'create', shards: 1 },
    logGroupServices: settings.logGroupServices,
  };
}
