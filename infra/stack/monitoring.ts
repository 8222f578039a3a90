import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Messages the ingest code logs at WARN when a batch had items that were
 * rejected, by validation or by the store (shared/metrics/ingest.ts,
 * shared/traces/ingest.ts, shared/traces/ingest-json.ts,
 * shared/logs/ingest.ts, shared/otlp/export.ts and
 * shared/streams/dead-letter.ts).
 */
export const REJECTED_ITEMS_MESSAGES = [
  'metric points rejected',
  'spans rejected',
  'unreadable spans rejected',
  'log records rejected',
  'OTLP items rejected while decoding',
  'stream record not stored in full',
];

function iteratorAge(fn: LambdaFunction): Metric {
  return fn.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD });
}

function queuedMessages(queue: IQueue): Metric {
  return queue.metricApproximateNumberOfMessagesVisible({
    statistic: 'Maximum',
    period: PERIOD,
  });
}

/** Share of API responses that are 5xx, in percent, that raises the alarm. */
export const API_5XX_PERCENT_THRESHOLD = 5;

const PERIOD = Duration.minutes(5);

/** Age of the oldest unread stream record that raises the alarm. */
export const ITERATOR_AGE_THRESHOLD = Duration.minutes(10);

export interface MonitoringProps {
  stage: string;
  functions: Record<string, LambdaFunction>;
  /** Functions fed by a Kinesis stream, watched for falling behind. */
  streamReaders: Record<string, LambdaFunction>;
  /** Queues where a message means data that was not stored. */
  deadLetterQueues: IQueue[];
  httpApi: HttpApi;
  alarmEmail: string | undefined;
  removalPolicy: RemovalPolicy;
}

/**
 * Alarms on each function's errors and throttles, on the API's 5xx rate,
 * on failed requests and on rejected ingest items, published to an
 * encrypted SNS topic.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namespace = `Observatory/${props.stage}`;
    this.topic = this.createTopic(props);

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period: PERIOD }), {
        description: `The ${name} function raised errors`,
      });
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: PERIOD }), {
        description: `The ${name} function was throttled`,
      });
      this.addLogMetrics(name, fn);
    }

    for (const [name, fn] of Object.entries(props.streamReaders)) {
      this.alarm(`${name}IteratorAge`, iteratorAge(fn), {
        description:
          `The ${name} function is more than ` +
          `${ITERATOR_AGE_THRESHOLD.toMinutes()} minutes behind the stream`,
        threshold: ITERATOR_AGE_THRESHOLD.toMilliseconds(),
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    for (const queue of props.deadLetterQueues) {
      this.alarm(`${queue.node.id}Messages`, queuedMessages(queue), {
        description: `The ${queue.node.id} queue holds records that were not stored`,
      });
    }

    this.alarm('Api5xxRate', this.api5xxPercent(props.httpApi), {
      description:
        `More than ${API_5XX_PERCENT_THRESHOLD}% of API requests ` +
        'answered 5xx',
      threshold: API_5XX_PERCENT_THRESHOLD,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.alarm('FailedRequests', this.logMetric('FailedRequests'), {
      description:
        'A function logged an error: a request failed with 5xx, such ' +
        'as a write the store refused',
    });
    this.alarm('RejectedItems', this.logMetric('RejectedItemBatches'), {
      description:
        'Ingest requests had items rejected by validation or by the ' +
        'store; the function logs name the reasons',
    });
  }

  private createTopic(props: MonitoringProps): Topic {
    const key = new Key(this, 'TopicKey', {
      description: `Encrypts the Observatory ${props.stage} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch publishes alarms to the encrypted topic with this key.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Observatory ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      topic.addSubscription(new EmailSubscription(props.alarmEmail));
    }
    return topic;
  }

  private addLogMetrics(name: string, fn: LambdaFunction): void {
    new MetricFilter(this, `${name}FailedRequests`, {
      logGroup: fn.logGroup,
      metricNamespace: this.namespace,
      metricName: 'FailedRequests',
      filterPattern: FilterPattern.stringValue('$.level', '=', 'ERROR'),
      metricValue: '1',
    });
    new MetricFilter(this, `${name}RejectedItems`, {
      logGroup: fn.logGroup,
      metricNamespace: this.namespace,
      metricName: 'RejectedItemBatches',
      filterPattern: FilterPattern.any(
        ...REJECTED_ITEMS_MESSAGES.map((message) =>
          FilterPattern.stringValue('$.message', '=', message),
        ),
      ),
      metricValue: '1',
    });
  }

  private logMetric(metricName: string): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName,
      statistic: 'Sum',
      period: PERIOD,
    });
  }

  private api5xxPercent(httpApi: HttpApi): MathExpression {
    return new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: httpApi.metricServerError({ period: PERIOD }),
        requests: httpApi.metricCount({ period: PERIOD }),
      },
      period: PERIOD,
      label: 'API 5xx answers (%)',
    });
  }

  private alarm(
    id: string,
    metric: IMetric,
    options: {
      description: string;
      threshold?: number;
      comparison?: ComparisonOperator;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      threshold: options.threshold ?? 1,
      comparisonOperator:
        options.comparison ??
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
