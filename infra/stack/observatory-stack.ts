import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
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
      functions: this.functions.byName,
      httpApi: this.api.httpApi,
      alarmEmail: settings.alarmEmail,
      removalPolicy,
    });
    this.addOutputs();
  }

  private storeResources(): StoreResources {
    return {
      tracesTable: this.tables.tracesTable,
      configTable: this.tables.configTable,
      metricTable: this.metricTable,
      metricMemoryRetentionHours: this.settings.retention.metricMemoryHours,
      metricMagneticWrites: this.settings.metricStore.magneticWrites,
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
  }
}
