import { join } from 'node:path';
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  LAMBDA_ARCHITECTURE,
  LAMBDA_RUNTIME,
  nodejsBundling,
  PROJECT_ROOT,
} from './bundling.js';
import {
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type FunctionName,
  type FunctionSpec,
} from './function-specs.js';
import type { LogLevel } from './settings.js';
import { connectStores, type StoreResources } from './store-access.js';

/** Settings that every Observatory function shares. */
export interface LambdaDefaults {
  logLevel: LogLevel;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Builds one Lambda function with Observatory's runtime, bundling, X-Ray
 * tracing and a log group of its own with a retention.
 */
export function createLambda(
  scope: Construct,
  id: string,
  spec: FunctionSpec,
  defaults: LambdaDefaults,
): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: defaults.logRetention,
    removalPolicy: defaults.removalPolicy,
  });
  const fn = new NodejsFunction(scope, id, {
    entry: join(PROJECT_ROOT, spec.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    memorySize: spec.memoryMiB,
    timeout: spec.timeout,
    description: spec.description,
    tracing: Tracing.ACTIVE,
    logGroup,
    bundling: nodejsBundling(spec.stores),
    environment: {
      POWERTOOLS_LOG_LEVEL: defaults.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
  acknowledgeLambdaFindings(fn);
  return fn;
}

/**
 * Records why the findings every function shares are accepted. The role
 * policy findings name the role's default policy, which exists once the
 * function has a grant.
 */
function acknowledgeLambdaFindings(fn: NodejsFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'The AWS managed basic execution policy only lets the function ' +
      'write its own CloudWatch logs',
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray PutTraceSegments and PutTelemetryRecords, and Timestream ' +
      'DescribeEndpoints, apply to no resource, so IAM grants them on *',
  });
}

/** The Lambda functions of the API: one per route domain, plus the authorizer. */
export class ApiFunctions extends Construct {
  readonly byName: Record<FunctionName, NodejsFunction>;

  constructor(
    scope: Construct,
    id: string,
    props: { defaults: LambdaDefaults; stores: StoreResources },
  ) {
    super(scope, id);
    const entries = FUNCTION_NAMES.map((name) => {
      const spec = FUNCTION_SPECS[name];
      const fn = createLambda(this, pascalCase(name), spec, props.defaults);
      connectStores(fn, spec.stores, props.stores);
      return [name, fn] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<
      FunctionName,
      NodejsFunction
    >;
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, letter: string) =>
    letter.toUpperCase(),
  );
}
