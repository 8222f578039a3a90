import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { routesOf } from '#shared/routes.js';
import { ObservatoryApi } from './api.js';
import { ApiFunctions, type LambdaDefaults } from './functions.js';
import { LogDomain } from './log-domain.js';
import { LogIndexSetup } from './log-index-setup.js';
import { MetricTable } from './metric-table.js';
import { Monitoring } from './monitoring.js';
import {
  type ObservatorySettings,
  type ResolvedSettings,
  resolveSettings,
} from './settings.js';
import type { StoreResources } from './store-access.js';
import { connectStreamSettings, StreamIngest } from './stream-ingest.js';
import { Tables } from './tables.js';

export interface ObservatoryStackProps
  extends StackProps,
    ObservatorySettings {}

/**
 * Observatory in one AWS account and region: the HTTP API and its
 * functions, the three stores, and alarms.
 */
export class ObservatoryStack extends Stack {
  readonly settings: ResolvedSettings;
  readonly tables: Tables;
  readonly metricTable: MetricTable;
  readonly logDomain: LogDomain;
  readonly functions: ApiFunctions;
  readonly logIndexSetup: LogIndexSetup;
  readonly streamIngest: StreamIngest;
  /** The key that Firehose sends in X-Amz-Firehose-Access-Key. */
  readonly firehoseAccessKey: Secret;
  readonly api: ObservatoryApi;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ObservatoryStackProps = {}) {
    super(scope, id, props);
    const settings = resolveSettings(props);
    this.settings = settings;
    const { retention, removalPolicy } = settings;

    this.tables = new Tables(this, 'Tables', { removalPolicy });
    this.metricTable = new MetricTable(this, 'Metrics', {
      existing: settings.metricStore.existing,
      memoryRetentionHours: retention.metricMemoryHours,
      magneticRetentionDays: retention.metricMagneticDays,
      magneticWrites: settings.metricStore.magneticWrites,
      removalPolicy,
    });
    this.logDomain = new LogDomain(this, 'Logs', {
      domainName: `observatory-${settings.stage}`,
      ...settings.search,
      cloudWatchLogs: retention.cloudWatchLogs,
      removalPolicy,
    });

    const defaults: LambdaDefaults = {
      logLevel: settings.logLevel,
      logRetention: retention.cloudWatchLogs,
      removalPolicy,
    };
    this.functions = new ApiFunctions(this, 'Functions', {
      defaults,
      stores: this.storeResources(),
    });
    this.logIndexSetup = new LogIndexSetup(this, 'LogIndexSetup', {
      logDomain: this.logDomain,
      retentionDays: retention.logDays,
      defaults,
    });
    // No function may write a log before the index template exists. Only
    // the function resources wait: their roles are in the domain's access
    // policy, which the setup needs first.
    for (const fn of Object.values(this.functions.byName)) {
      fn.node.defaultChild?.node.addDependency(this.logIndexSetup.resource);
    }

    this.streamIngest = new StreamIngest(this, 'StreamIngest', {
      stream: settings.ingestStream,
      logGroupServices: settings.logGroupServices,
      defaults,
      stores: this.storeResources(),
      removalPolicy,
    });
    this.firehoseAccessKey = this.connectFirehose();
    const streamHandler = this.streamIngest.handler;
    streamHandler?.node.defaultChild?.node.addDependency(
      this.logIndexSetup.resource,
    );

    const { authorizer, ...handlers } = this.functions.byName;
    this.api = new ObservatoryApi(this, 'Api', {
      apiName: `observatory-${settings.stage}`,
      handlers,
      authorizer,
      corsOrigins: settings.corsOrigins,
      throttle: settings.throttle,
      accessLogRetention: retention.cloudWatchLogs,
      removalPolicy,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      functions: {
        ...this.functions.byName,
        ...(streamHandler ? { 'stream-ingest': streamHandler } : {}),
      },
      streamReaders: streamHandler ? { 'stream-ingest': streamHandler } : {},
      deadLetterQueues: [
        this.streamIngest.deadLetters,
        ...(this.streamIngest.failedBatches
          ? [this.streamIngest.failedBatches]
          : []),
      ],
      httpApi: this.api.httpApi,
      alarmEmail: settings.alarmEmail,
      removalPolicy,
    });
    this.addOutputs();
  }

  /**
   * Gives the Firehose function the dead-letter queue and its access key.
   * The key is generated in Secrets Manager and reaches the function's
   * environment through a CloudFormation dynamic reference, so the
   * template never contains it. A Firehose stream can name the same
   * secret as its HTTP endpoint access key.
   */
  private connectFirehose(): Secret {
    const fn = this.functions.byName.firehose;
    connectStreamSettings(
      fn,
      this.streamIngest.deadLetters,
      this.settings.logGroupServices,
    );
    const secret = new Secret(this, 'FirehoseAccessKey', {
      description: 'Access key that Firehose sends to Observatory',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: this.settings.removalPolicy,
    });
    fn.addEnvironment(
      'OBSERVATORY_FIREHOSE_ACCESS_KEY',
      secret.secretValue.unsafeUnwrap(),
    );
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key is set in both Observatory and the Firehose streams that ' +
        'send to it; rotate it by hand with both, from the secret',
    });
    return secret;
  }

  private storeResources(): StoreResources {
    return {
      tracesTable: this.tables.tracesTable,
      configTable: this.tables.configTable,
      metricTable: this.metricTable,
      metricMemoryRetentionHours: this.settings.retention.metricMemoryHours,
      metricMagneticWrites: this.settings.metricStore.magneticWrites,
      traceRetentionDays: this.settings.retention.traceDays,
      logDomain: this.logDomain,
    };
  }

  private addOutputs(): void {
    const configTable = this.tables.configTable.tableName;
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the API; OTLP exporters use it as endpoint',
      value: this.api.httpApi.apiEndpoint,
    });
    new CfnOutput(this, 'CreateAdminKeyCommand', {
      description: 'Creates the first admin key and prints it once',
      value:
        `npx tsx scripts/create-key.ts --region ${this.region} ` +
        `--table ${configTable} --name admin --scopes admin,ingest,read`,
    });
    new CfnOutput(this, 'TracesTableName', {
      value: this.tables.tracesTable.tableName,
    });
    new CfnOutput(this, 'ConfigTableName', { value: configTable });
    new CfnOutput(this, 'TimestreamDatabaseName', {
      value: this.metricTable.databaseName,
    });
    new CfnOutput(this, 'TimestreamTableName', {
      value: this.metricTable.tableName,
    });
    new CfnOutput(this, 'OpenSearchEndpoint', {
      value: this.logDomain.endpointUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
    });
    this.addStreamOutputs();
  }

  private addStreamOutputs(): void {
    new CfnOutput(this, 'FirehoseEndpointUrl', {
      description: 'HTTP endpoint URL for Firehose delivery streams',
      value: `${this.api.httpApi.apiEndpoint}${routesOf('firehose')[0]?.path}`,
    });
    new CfnOutput(this, 'FirehoseAccessKeySecretArn', {
      description: 'Secret with the access key Firehose must send',
      value: this.firehoseAccessKey.secretArn,
    });
    new CfnOutput(this, 'StreamDeadLetterQueueUrl', {
      description: 'Stream and Firehose records that could not be stored',
      value: this.streamIngest.deadLetters.queueUrl,
    });
    const stream = this.streamIngest.stream;
    if (stream) {
      new CfnOutput(this, 'IngestStreamName', {
        description: 'Kinesis stream that the stream-ingest function reads',
        value: stream.streamName,
      });
    }
  }
}
