import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lambdas/domain/events';
import { VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../config';

/** The media function's timeout, in seconds: a 100 MB document over a slow link, and the upload. */
export const MEDIA_CONSUMER_TIMEOUT_SECONDS = 120;

/**
 * Receives before a media job goes to the DLQ: more than the media function's own attempts
 * (`MEDIA_MAX_ATTEMPTS`, 6), after which it records the item `failed` itself; the DLQ is for jobs
 * that failed for reasons of ours (the bucket or table unreachable for the whole backoff).
 */
export const MEDIA_MAX_RECEIVE_COUNT = 10;

export interface MediaQueueProps {
  /** The bus `message.received` events are published on. */
  readonly eventBus: events.IEventBus;
  /** The stack's key: the queue and its DLQ are SSE-KMS with it. */
  readonly encryptionKey: kms.IKey;
  /**
   * Receives before a job goes to the DLQ.
   * @default MEDIA_MAX_RECEIVE_COUNT (10)
   */
  readonly maxReceiveCount?: number;
  /**
   * Called when the DLQ alarm fires (and recovers).
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * What happens to the queues when the stack is deleted.
   * @default RemovalPolicy.RETAIN (the DLQ may hold jobs no one has looked at yet)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The media step's trigger: an EventBridge rule on the product's bus that sends every
 * `message.received` event whose content has media to a standard SQS queue (with its DLQ), which
 * the media function consumes.
 *
 * Why a rule and a queue rather than a call from the webhook: the webhook's acknowledgement never
 * waits for a download, and the event is published from committed state (the outbox), so every
 * stored media message gets a job. Standard, not FIFO: media items are independent, order does not
 * matter, and a job backs off (ChangeMessageVisibility) without holding anything else back. Events
 * EventBridge cannot deliver (the queue unavailable for its 24 hours of retries) land in the DLQ too.
 * @example
 * const media = new MediaQueue(this, 'MediaQueue', { eventBus: bus, encryptionKey: key, alarmAction });
 */
export class MediaQueue extends Construct {
  /** The jobs the media function consumes. */
  public readonly queue: sqs.Queue;
  /** Jobs that failed `maxReceiveCount` receives, and events the rule could not deliver. */
  public readonly deadLetterQueue: sqs.Queue;
  /** `message.received` with `detail.content.media` → {@link queue}. */
  public readonly rule: events.Rule;
  /** Fires as soon as one job sits in the DLQ. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Receives before the DLQ. */
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: MediaQueueProps) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount ?? MEDIA_MAX_RECEIVE_COUNT;
    const shared = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    } satisfies sqs.QueueProps;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { ...shared, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...shared,
      // Meta's media ids live 7 days; a job older than 4 days has long been retried to its end.
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(MEDIA_CONSUMER_TIMEOUT_SECONDS * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    this.rule = new events.Rule(this, 'MediaReceivedRule', {
      eventBus: props.eventBus,
      description: 'Inbound WhatsApp messages with media → the media queue (mirror into the media bucket)',
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: ['message.received'],
        detail: { content: { media: [{ exists: true }] } },
      },
    });
    this.rule.addTarget(
      new targets.SqsQueue(this.queue, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        `Media jobs in the DLQ of ${this.node.path}: inbound media that could not be mirrored for reasons of ours ` +
        '(bucket, table or queue unavailable) or events the rule could not deliver. Redrive once the cause is fixed.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      this.deadLetterAlarm.addAlarmAction(props.alarmAction);
      this.deadLetterAlarm.addOkAction(props.alarmAction);
    }
  }
}
