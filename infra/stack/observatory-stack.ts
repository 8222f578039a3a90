import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Storage } from './storage.js';

export interface ObservatoryStackProps extends StackProps {
  /**
   * Removal policy of the data stores.
   * @default RemovalPolicy.RETAIN
   */
  removalPolicy?: RemovalPolicy;
}

/** Observatory in one AWS account and region. */
export class ObservatoryStack extends Stack {
  constructor(scope: Construct, id: string, props: ObservatoryStackProps = {}) {
    super(scope, id, props);
    const storage = new Storage(this, 'Storage', {
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    new CfnOutput(this, 'TracesTableName', {
      value: storage.tracesTable.tableName,
    });
    new CfnOutput(this, 'ConfigTableName', {
      value: storage.configTable.tableName,
    });
  }
}
