import { type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';

export interface MetricTableProps {
  /**
   * A database and table that already exist; the construct then creates
   * nothing and only names them.
   * @default - a new database and table
   */
  existing?: { databaseName: string; tableName: string };
  /** Hours a point stays in the memory store. */
  memoryRetentionHours: number;
  /** Days a point stays in the magnetic store. */
  magneticRetentionDays: number;
  /** Whether points older than the memory store retention are accepted. */
  magneticWrites: boolean;
  /** What happens to a new database and table when the stack is deleted. */
  removalPolicy: RemovalPolicy;
}

/**
 * Timestream for LiveAnalytics is in maintenance mode: it closed to new
 * customers on 2025-06-20, and CloudFormation validation warns (W3697)
 * about every AWS::Timestream resource. Accounts that already use it can
 * still create databases and tables, so the stack keeps it; the metric
 * store sits behind the MetricStore port so another backend can be added.
 */
const TIMESTREAM_AVAILABILITY =
  'Timestream for LiveAnalytics closed to new customers on 2025-06-20; ' +
  'accounts that already use it can still create tables, and the metric ' +
  'store is behind a port so another backend can replace it';

/** The Timestream table of metric points, created here or existing. */
export class MetricTable extends Construct {
  readonly databaseName: string;
  readonly tableName: string;
  readonly tableArn: string;
  /** The table resource, when the stack creates it. */
  readonly table: CfnTable | undefined;

  constructor(scope: Construct, id: string, props: MetricTableProps) {
    super(scope, id);
    if (props.existing) {
      this.databaseName = props.existing.databaseName;
      this.tableName = props.existing.tableName;
      this.tableArn = Stack.of(this).formatArn({
        service: 'timestream',
        resource: 'database',
        resourceName: `${this.databaseName}/table/${this.tableName}`,
      });
      this.table = undefined;
      return;
    }

    const table = this.createTable(props);
    this.table = table;
    this.databaseName = table.databaseName;
    this.tableName = table.attrName;
    this.tableArn = table.attrArn;
  }

  private createTable(props: MetricTableProps): CfnTable {
    const database = new CfnDatabase(this, 'Database', {});
    database.applyRemovalPolicy(props.removalPolicy);
    const table = new CfnTable(this, 'Table', {
      databaseName: database.ref,
      retentionProperties: {
        MemoryStoreRetentionPeriodInHours: String(props.memoryRetentionHours),
        MagneticStoreRetentionPeriodInDays: String(props.magneticRetentionDays),
      },
      magneticStoreWriteProperties: {
        EnableMagneticStoreWrites: props.magneticWrites,
      },
    });
    table.applyRemovalPolicy(props.removalPolicy);

    for (const resource of [database, table]) {
      Validations.of(resource).acknowledge({
        id: 'CloudFormation-Validate::W3697',
        reason: TIMESTREAM_AVAILABILITY,
      });
    }
    Validations.of(database).acknowledge({
      id: 'AwsSolutions-TS3',
      reason:
        'Timestream always encrypts at rest with a key it manages; a ' +
        'customer managed key would add key administration and KMS cost ' +
        'without narrowing who can read the table, which IAM already does',
    });
    return table;
  }
}
