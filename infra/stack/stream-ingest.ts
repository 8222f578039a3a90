import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  type IStream,
  Stream,
  StreamEncryption,
  StreamMode,
} from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  KinesisEventSource,
  SqsDlq,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_INGEST_SPEC } from './function-specs.js';
import { createLambda, type LambdaDefaults } from './functions.js';
import type { IngestStreamSetting } from './settings.js';
import { connectStores, type StoreResources } from './store-access.js';

export interface StreamIngestProps {
  /** The stream to create, an existing one to read, or none. */
  stream: IngestStreamSetting;
  /** Service name per CloudWatch Logs group, for log subscriptions. */
  logGroupServices: Record<string, string> | undefined;
  defaults: LambdaDefaults;
  stores: StoreResources;
  removalPolicy: RemovalPolicy;
}

/**
 * Days SQS keeps a message: its maximum, so there is time to look at
 * dead letters before they expire.
 */
const QUEUE_RETENTION = Duration.days(14);

function deadLetterQueue(scope: Construct, id: string, reason: string) {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: QUEUE_RETENTION,
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}

/**
 * Connects a stream-ingest or Firehose function to the dead-letter queue
 * of records that can never be stored, and to the log group services.
 */
export function connectStreamSettings(
  fn: NodejsFunction,
  deadLetters: Queue,
  logGroupServices: Record<string, string> | undefined,
): void {
  deadLetters.grantSendMessages(fn);
  fn.addEnvironment('OBSERVATORY_STREAM_DLQ_URL', deadLetters.queueUrl);
  if (logGroupServices) {
    fn.addEnvironment(
      'OBSERVATORY_LOG_GROUP_SERVICES',
      JSON.stringify(logGroupServices),
    );
  }
}

/**
 * Kinesis ingestion: the stream (created here or existing), the
 * stream-ingest function reading it, the queue of records that can never
 * be stored, and the queue of batches Lambda gave up on.
 */
export class StreamIngest extends Construct {
  /** Records that can never be stored in full, with their reasons. */
  readonly deadLetters: Queue;
  /** Batches that failed every retry, as Lambda reports them. */
  readonly failedBatches: Queue | undefined;
  readonly stream: IStream | undefined;
  readonly handler: NodejsFunction | undefined;

  constructor(scope: Construct, id: string, props: StreamIngestProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(
      this,
      'DeadLetters',
      'This queue is the dead-letter queue of stream records that can ' +
        'never be stored; nothing consumes it automatically',
    );
    this.stream = this.streamOf(props);
    if (!this.stream) {
      this.failedBatches = undefined;
      this.handler = undefined;
      return;
    }

    this.failedBatches = deadLetterQueue(
      this,
      'FailedBatches',
      "This queue is the on-failure destination of the stream's event " +
        'source mapping; nothing consumes it automatically',
    );
    this.handler = createLambda(
      this,
      'Handler',
      STREAM_INGEST_SPEC,
      props.defaults,
    );
    connectStores(this.handler, STREAM_INGEST_SPEC.stores, props.stores);
    connectStreamSettings(
      this.handler,
      this.deadLetters,
      props.logGroupServices,
    );
    this.handler.addEventSource(
      new KinesisEventSource(this.stream, {
        // The stores deduplicate, so reading from the oldest record is safe.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.failedBatches),
      }),
    );
  }

  private streamOf(props: StreamIngestProps): IStream | undefined {
    const setting = props.stream;
    if (setting.kind === 'none') return undefined;
    if (setting.kind === 'existing') {
      return Stream.fromStreamArn(this, 'Stream', setting.streamArn);
    }
    return new Stream(this, 'Stream', {
      streamMode: StreamMode.PROVISIONED,
      shardCount: setting.shards,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: props.removalPolicy,
    });
  }
}
