import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export interface StorageProps {
  /**
   * What happens to data tables when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  removalPolicy?: RemovalPolicy;
}

/**
 * DynamoDB tables for traces and configuration: on-demand, encrypted,
 * with point-in-time recovery and TTL on the `expires_at` attribute.
 */
export class Storage extends Construct {
  readonly tracesTable: TableV2;
  readonly configTable: TableV2;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = {
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expires_at',
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      removalPolicy,
    };

    this.tracesTable = new TableV2(this, 'Traces', {
      ...common,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    this.configTable = new TableV2(this, 'Config', {
      ...common,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
  }
}
