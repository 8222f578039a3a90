import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  type GlobalSecondaryIndexPropsV2,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CONFIG_TABLE_INDEXES,
  type TableIndex,
  TRACE_TABLE_INDEXES,
} from '#shared/store/aws/dynamodb/keys.js';

export interface TablesProps {
  /**
   * What happens to the tables when the stack is deleted. Deletion
   * protection is on unless this is DESTROY.
   * @default RemovalPolicy.RETAIN
   */
  removalPolicy?: RemovalPolicy;
}

/** Turns an index the DynamoDB adapter declares into CDK's terms. */
function indexProps(index: TableIndex): GlobalSecondaryIndexPropsV2 {
  const include = index.projectionType === 'INCLUDE';
  return {
    indexName: index.indexName,
    partitionKey: { name: index.partitionKey.name, type: AttributeType.STRING },
    sortKey: { name: index.sortKey.name, type: AttributeType.STRING },
    projectionType: include ? ProjectionType.INCLUDE : ProjectionType.ALL,
    ...(include ? { nonKeyAttributes: index.nonKeyAttributes ?? [] } : {}),
  };
}

/**
 * The DynamoDB tables of traces (with topology) and configuration, with
 * the key schema and indexes that shared/store/aws/dynamodb/keys.ts
 * declares: on-demand, encrypted, with point-in-time recovery and TTL on
 * `expires_at`.
 */
export class Tables extends Construct {
  readonly tracesTable: TableV2;
  readonly configTable: TableV2;

  constructor(scope: Construct, id: string, props: TablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = {
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expires_at',
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy,
    };

    this.tracesTable = new TableV2(this, 'Traces', {
      ...common,
      globalSecondaryIndexes: TRACE_TABLE_INDEXES.map(indexProps),
    });
    this.configTable = new TableV2(this, 'Config', {
      ...common,
      globalSecondaryIndexes: CONFIG_TABLE_INDEXES.map(indexProps),
    });
  }
}
