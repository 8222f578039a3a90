import { Lazy, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EbsDeviceVolumeType } from 'aws-cdk-lib/aws-ec2';
import {
  type IGrantable,
  type IPrincipal,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import {
  LogGroup,
  ResourcePolicy,
  type RetentionDays,
} from 'aws-cdk-lib/aws-logs';
import {
  type CfnDomain,
  Domain,
  EngineVersion,
  TLSSecurityPolicy,
  type ZoneAwarenessConfig,
} from 'aws-cdk-lib/aws-opensearchservice';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.js';
import { ContextError } from './settings.js';

/**
 * Prefix of the daily log indices, `observatory-logs-YYYY.MM.DD`; the
 * functions receive it as OBSERVATORY_LOG_INDEX_PREFIX.
 */
export const LOG_INDEX_PREFIX = 'observatory-logs';

/** The REST methods the log store and the index setup send. */
export const OPENSEARCH_ACTIONS = [
  'es:ESHttpGet',
  'es:ESHttpPost',
  'es:ESHttpPut',
];

export interface LogDomainProps {
  /** Domain name: 3-28 lower-case letters, digits and hyphens. */
  domainName: string;
  instanceType: string;
  instanceCount: number;
  volumeGiB: number;
  /** Retention of the domain's own application and slow logs. */
  cloudWatchLogs: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * Spreads two or more data nodes over two or three Availability Zones;
 * OpenSearch Service needs the node count to be a multiple of the zones.
 */
export function zoneAwarenessOf(count: number): ZoneAwarenessConfig {
  if (count === 1) return { enabled: false };
  if (count % 2 === 0) return { enabled: true, availabilityZoneCount: 2 };
  if (count % 3 === 0) return { enabled: true, availabilityZoneCount: 3 };
  throw new ContextError(
    `invalid openSearchInstanceCount ${count}: more than one node must be ` +
      'a multiple of 2 or 3, the number of Availability Zones they spread over',
  );
}

/**
 * The OpenSearch domain of logs: encrypted at rest and between nodes,
 * HTTPS only with TLS 1.2 or later, and reachable only by the roles given
 * to {@link LogDomain.grantAccess}, through SigV4-signed requests.
 */
export class LogDomain extends Construct {
  readonly domain: Domain;
  /** `https://` URL of the domain endpoint. */
  readonly endpointUrl: string;
  private readonly principals: IPrincipal[] = [];
  private readonly resourceArn: string;

  constructor(scope: Construct, id: string, props: LogDomainProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Named from the domain name, not its ARN attribute: the domain's
    // access policy cannot refer to an attribute of the domain itself.
    this.resourceArn = stack.formatArn({
      service: 'es',
      resource: 'domain',
      resourceName: props.domainName,
    });

    const logs = this.createLogGroups(props);
    this.domain = new Domain(this, 'Domain', {
      domainName: props.domainName,
      // The log index template needs 2.15 or later (wildcard fields).
      version: EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodes: props.instanceCount,
        dataNodeInstanceType: props.instanceType,
        multiAzWithStandbyEnabled: false,
      },
      ebs: { volumeSize: props.volumeGiB, volumeType: EbsDeviceVolumeType.GP3 },
      zoneAwareness: zoneAwarenessOf(props.instanceCount),
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2,
      logging: {
        appLogEnabled: true,
        appLogGroup: logs.app,
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logs.slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logs.slowIndex,
      },
      // The policy below replaces the custom resource CDK would add.
      suppressLogsResourcePolicy: true,
      removalPolicy: props.removalPolicy,
    });
    this.domain.node.addDependency(logs.policy);
    this.endpointUrl = `https://${this.domain.domainEndpoint}`;

    const cfnDomain = this.domain.node.defaultChild as CfnDomain;
    cfnDomain.accessPolicies = Lazy.any({
      produce: () => this.accessPolicy().toJSON(),
    });
    this.acknowledgeFindings(props.instanceCount);
  }

  /**
   * Lets `grantee` send the log store's requests: an identity policy on
   * its role, and its role in the domain's access policy.
   */
  grantAccess(grantee: IGrantable & IConstruct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: OPENSEARCH_ACTIONS,
        resources: [this.domain.domainArn, `${this.domain.domainArn}/*`],
      }),
    );
    acknowledgeWildcardResource(
      grantee,
      `${this.domain.domainArn}/*`,
      'Index names are daily (observatory-logs-YYYY.MM.DD), so the log ' +
        "store's requests address paths under this one domain",
    );
    this.principals.push(grantee.grantPrincipal);
  }

  private accessPolicy(): PolicyDocument {
    if (this.principals.length === 0) return new PolicyDocument();
    return new PolicyDocument({
      statements: [
        new PolicyStatement({
          principals: this.principals,
          actions: OPENSEARCH_ACTIONS,
          resources: [this.resourceArn, `${this.resourceArn}/*`],
        }),
      ],
    });
  }

  private createLogGroups(props: LogDomainProps) {
    const group = (id: string) =>
      new LogGroup(this, id, {
        retention: props.cloudWatchLogs,
        removalPolicy: props.removalPolicy,
      });
    const app = group('AppLogs');
    const slowSearch = group('SlowSearchLogs');
    const slowIndex = group('SlowIndexLogs');
    const policy = new ResourcePolicy(this, 'LogPublishing', {
      policyStatements: [
        new PolicyStatement({
          principals: [new ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:PutLogEvents', 'logs:CreateLogStream'],
          resources: [app, slowSearch, slowIndex].map(
            (logGroup) => `${logGroup.logGroupArn}`,
          ),
          conditions: {
            StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          },
        }),
      ],
    });
    return { app, slowSearch, slowIndex, policy };
  }

  private acknowledgeFindings(instanceCount: number): void {
    if (instanceCount === 1) {
      Validations.of(this.domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason:
          'A single data node has no second zone to spread over; set ' +
          'openSearchInstanceCount to 2 or more for zone awareness',
      });
    }
    Validations.of(this.domain).acknowledge(
      {
        id: 'AwsSolutions-OS1',
        reason:
          'Access is by SigV4-signed requests from the roles in the access ' +
          'policy only. A VPC domain would put every function in the VPC, ' +
          'with NAT or endpoints to reach DynamoDB and Timestream',
      },
      {
        id: 'AwsSolutions-OS3',
        reason:
          'The access policy names IAM roles rather than IP addresses, ' +
          'because Lambda functions have no fixed addresses',
      },
      {
        id: 'AwsSolutions-OS4',
        reason:
          'Dedicated master nodes triple the cost of the small default ' +
          'domain; add them with the domain settings when it grows',
      },
    );
  }
}
