import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../config';

export interface FifoQueueWithDlqProps {
  /** The key messages are encrypted with (SSE-KMS with our customer managed key). */
  readonly encryptionKey: kms.IKey;

  /**
   * Timeout of the Lambda function that consumes this queue. The visibility timeout is derived from
   * it (× {@link VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT}) so that the two cannot drift apart.
   */
  readonly consumerTimeout: Duration;

  /**
   * Receives before a message is moved to the DLQ. Consumers that back off with
   * `ChangeMessageVisibility` spend one receive per attempt.
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long an unconsumed message stays in the queue.
   * @default Duration.days(4) (the SQS default)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long a failed message stays in the DLQ: long enough to cover a long weekend before
   * someone inspects and redrives it.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly dlqRetentionPeriod?: Duration;

  /**
   * How long SQS may reuse a data key before calling KMS again. Longer means fewer KMS calls (cost
   * and KMS request quota) at the price of a longer exposure window per data key.
   * @default Duration.minutes(5) (the SQS default)
   */
  readonly dataKeyReuse?: Duration;

  /**
   * High-throughput FIFO: deduplication and throughput quotas per message group instead of per
   * queue. Our group is the conversation and every dedup id is unique within its conversation, so
   * nothing is lost and thousands of conversations can run in parallel instead of ~300 msg/s.
   * @default true
   */
  readonly highThroughput?: boolean;

  /**
   * What happens to the queue and its DLQ when the stack is deleted. Retained by default: the
   * DLQ may hold messages no one has looked at yet.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Called when the DLQ alarm fires (and recovers), e.g. an SNS action.
   * @default - the alarm has no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * An SQS FIFO queue with its own FIFO dead-letter queue and an alarm on the DLQ.
 *
 * Producers always pass an explicit `MessageDeduplicationId` (content-based deduplication is off:
 * two distinct messages may have identical bodies, and a replayed webhook must reuse the id of the
 * original, not of its body). `MessageGroupId` is the conversation, so order holds per conversation
 * while conversations run in parallel. Both queues refuse plain-HTTP access (SSL-only policy).
 */
export class FifoQueueWithDlq extends Construct {
  /** The queue producers send to and the consumer reads. */
  public readonly queue: sqs.Queue;
  /** Where messages go after `maxReceiveCount` failed receives. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Fires as soon as one message sits in the DLQ: every one is a message we failed to process. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FifoQueueWithDlqProps) {
    super(scope, id);

    const highThroughput = props.highThroughput ?? true;
    const shared = {
      fifo: true,
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: props.dataKeyReuse ?? Duration.minutes(5),
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(highThroughput
        ? {
            deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP,
            fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
          }
        : {}),
    } satisfies sqs.QueueProps;

    // A FIFO queue's DLQ must itself be FIFO. No physical names: CloudFormation generates names
    // ending in `.fifo` because `fifo` is set.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...shared,
      retentionPeriod: props.dlqRetentionPeriod ?? Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      ...shared,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      visibilityTimeout: visibilityTimeoutFor(props.consumerTimeout),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Messages in the DLQ of ${this.node.path}: they failed ${props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT} times and wait for inspection and redrive.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // SQS publishes nothing for an idle queue; no data means nothing is waiting.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      this.deadLetterAlarm.addAlarmAction(props.alarmAction);
      this.deadLetterAlarm.addOkAction(props.alarmAction);
    }
  }
}

/**
 * The visibility timeout for a queue whose consumer runs at most `consumerTimeout`.
 * @example
 * visibilityTimeoutFor(Duration.seconds(30)).toSeconds(); // 180
 */
export function visibilityTimeoutFor(consumerTimeout: Duration): Duration {
  return Duration.seconds(consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT);
}
