import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_RELAY_DEFAULTS } from '../scaling';
import { functionErrorsAlarm, withAction } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import { kmsViaService, SQS_PRODUCER_KMS_ACTIONS } from './policy';

/** `POWERTOOLS_SERVICE_NAME` of the event relay. */
export const EVENT_RELAY_SERVICE_NAME = 'whatsapp-event-relay';

/** The item attribute that carries an event (see `lambdas/domain/outbox.ts`); the mappings filter on it. */
const OUTBOX_ATTRIBUTE = 'outbox';

export interface EventRelayProps {
  /**
   * The tables whose items carry events, each with a `NEW_AND_OLD_IMAGES` stream (messages,
   * conversations, connections).
   */
  readonly tables: readonly dynamodb.ITable[];
  /** Where the events go. */
  readonly eventBus: events.IEventBus;
  /** The key of the tables (their streams), the dead-letter queue and the function's logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Concurrent batches per stream shard (1–10). Records of one item stay in order at any factor.
   * @default EVENT_RELAY_DEFAULTS.parallelizationFactor (10)
   */
  readonly parallelizationFactor?: number;
  /**
   * Stream records per invocation.
   * @default EVENT_RELAY_DEFAULTS.batchSize (100)
   */
  readonly batchSize?: number;
  /**
   * Attempts of a failing batch (halved each time: bisect on error) before its position goes to the
   * dead-letter queue. The stream keeps records for 24 hours.
   * @default EVENT_RELAY_DEFAULTS.retryAttempts (20)
   */
  readonly retryAttempts?: number;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Called when an alarm fires (and recovers).
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * Publishes the events written on items (their `outbox` attribute) from the tables' DynamoDB
 * streams to the bus: the outbox half of "events from committed state". One function, one event
 * source mapping per table, filtered so that only records whose new image carries an outbox entry
 * invoke it (the function itself skips those whose entry did not change).
 *
 * Failures: partial batch responses resume the shard at the first unpublished record; a batch that
 * keeps failing is bisected, retried `retryAttempts` times, and then its shard position goes to the
 * dead-letter queue (the records themselves stay in the stream for 24 hours, to be replayed from that
 * position). Alarms: the dead-letter queue, function errors, and the iterator age (events late).
 */
export class EventRelay extends Construct {
  /** The function and its role and log group. */
  public readonly echoFunction: EchoFunction;
  /** Positions of stream batches that failed every attempt. */
  public readonly deadLetterQueue: sqs.Queue;
  /** One per table. */
  public readonly mappings: lambda.EventSourceMapping[];
  /** Fires when a batch reached the dead-letter queue: events were not published. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Fires on failed invocations. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Fires when events leave more than a minute after their write, for 5 minutes. */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EventRelayProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'event-relay',
      serviceName: EVENT_RELAY_SERVICE_NAME,
      timeout: Duration.seconds(EVENT_RELAY_DEFAULTS.timeoutSeconds),
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
      environment: { EVENT_BUS_NAME: props.eventBus.eventBusName },
    });
    const fn = this.echoFunction;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the on-failure destination (DestinationConfig.OnFailure) of ' +
        "the event relay's stream mappings, which cdk-nag only recognises in a queue's RedrivePolicy or a " +
        "function's DeadLetterConfig. It receives the position of a stream batch that failed every attempt; " +
        'nothing consumes it but an operator, so it needs no dead-letter queue of its own.',
    });
    // Lambda's poller sends the failure record with the function's role.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    fn.addToRolePolicy(kmsViaService(props.encryptionKey, stack, 'sqs', SQS_PRODUCER_KMS_ACTIONS));

    const streamArns = props.tables.map((table) => {
      if (!table.tableStreamArn) throw new Error(`${table.node.path} has no stream: the event relay needs NEW_AND_OLD_IMAGES`);
      return table.tableStreamArn;
    });
    // The poller's calls, on these streams only. ListStreams is what AWS lists for stream event
    // sources; scoped to the same ARNs it grants nothing beyond them.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: streamArns,
      }),
    );
    // Stream records are encrypted with the tables' key.
    fn.addToRolePolicy(kmsViaService(props.encryptionKey, stack, 'dynamodb', ['kms:Decrypt', 'kms:DescribeKey']));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));

    const onFailure: lambda.IEventSourceDlq = { bind: () => ({ destination: this.deadLetterQueue.queueArn }) };
    this.mappings = streamArns.map(
      (streamArn, index) =>
        new lambda.EventSourceMapping(this, `StreamEventSource${index}`, {
          target: fn.function,
          eventSourceArn: streamArn,
          // From the oldest record: on the first deploy, or after the mapping was disabled, events
          // written meanwhile still go out.
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: props.batchSize ?? EVENT_RELAY_DEFAULTS.batchSize,
          parallelizationFactor: props.parallelizationFactor ?? EVENT_RELAY_DEFAULTS.parallelizationFactor,
          bisectBatchOnError: true,
          retryAttempts: props.retryAttempts ?? EVENT_RELAY_DEFAULTS.retryAttempts,
          reportBatchItemFailures: true,
          onFailure,
          // Only changes whose new image carries an entry: the bulk of writes (claims, acceptances,
          // conversation updates) never invoke the function.
          filters: [lambda.FilterCriteria.filter({ dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { M: { id: { S: lambda.FilterRule.exists() } } } } } })],
        }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'The event relay gave up on a batch of stream records: those events (message.received, message.status, ' +
        'send.failed, window.expiring, connection.changed) were not published. The dead-letter message names ' +
        'the stream and the sequence numbers; the records stay in the stream for 24 hours to be replayed.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.deadLetterAlarm, props.alarmAction);
    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', fn.function, {
      description: 'The event relay failed invocations: events are delayed (the stream retries them) until it recovers.',
      action: props.alarmAction,
    });
    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription:
        'Events leave the tables more than a minute after their write (the relay falls behind or keeps failing); ' +
        'past 24 hours stream records expire unpublished.',
      metric: fn.function.metric('IteratorAge', { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 60_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.iteratorAgeAlarm, props.alarmAction);
  }
}
