import { createHash } from 'node:crypto';
import { CustomResource, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { logIndexTemplate } from '#shared/store/aws/opensearch/template.js';
import { LOG_INDEX_SETUP_SPEC } from './function-specs.js';
import { createLambda, type LambdaDefaults } from './functions.js';
import { LOG_INDEX_PREFIX, type LogDomain } from './log-domain.js';
import type { LogIndexSetupProperties } from './log-index/handler.js';
import { acknowledgeWildcardResource } from './nag.js';

export interface LogIndexSetupProps {
  logDomain: LogDomain;
  /** Days a daily log index is kept. */
  retentionDays: number;
  defaults: LambdaDefaults;
}

function templateHash(): string {
  const json = JSON.stringify(logIndexTemplate(LOG_INDEX_PREFIX));
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/**
 * Stores the log index template and the index retention policy on each
 * deploy, before any function that writes logs exists: an index created
 * without the template would map its fields dynamically.
 */
export class LogIndexSetup extends Construct {
  readonly resource: CustomResource;
  /** The function that stores the template and the policy. */
  readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: LogIndexSetupProps) {
    super(scope, id);
    const onEvent = createLambda(
      this,
      'Handler',
      LOG_INDEX_SETUP_SPEC,
      props.defaults,
    );
    this.handler = onEvent;
    props.logDomain.grantAccess(onEvent);

    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: new LogGroup(this, 'ProviderLogs', {
        retention: props.defaults.logRetention,
        removalPolicy: props.defaults.removalPolicy,
      }),
    });
    acknowledgeProviderFindings(provider, onEvent);

    const properties: LogIndexSetupProperties = {
      Endpoint: props.logDomain.endpointUrl,
      IndexPrefix: LOG_INDEX_PREFIX,
      RetentionDays: String(props.retentionDays),
      TemplateHash: templateHash(),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ObservatoryLogIndexSetup',
      properties,
    });
  }
}

function acknowledgeProviderFindings(
  provider: Provider,
  onEvent: IFunction,
): void {
  acknowledgeWildcardResource(
    provider,
    `${onEvent.functionArn}:*`,
    'The provider framework may invoke any version of its one handler',
  );
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'CDK chooses and updates the runtime of the provider framework ' +
      'function; the handler it calls runs on the newest Node.js',
  });
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "The provider framework's function gets the AWS managed basic " +
      'execution policy, which only writes its own CloudWatch logs',
  });
}
