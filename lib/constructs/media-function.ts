import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT } from '../config';
import { functionErrorsAlarm } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import type { MediaBucket } from './media-bucket';
import { MEDIA_CONSUMER_TIMEOUT_SECONDS } from './media-queue';
import { allowConnectionSecretsRead, DYNAMODB_KMS_ACTIONS, dynamoStatement, kmsViaService } from './policy';

/** `POWERTOOLS_SERVICE_NAME` of the media function. */
export const MEDIA_SERVICE_NAME = 'whatsapp-media';

/** The BSP endpoints media is fetched from (the same defaults as the send Lambda's). */
export interface MediaBspEndpoints {
  twilioApiBaseUrl: string;
  metaGraphBaseUrl: string;
  dialog360BaseUrl: string;
}

export interface MediaFunctionProps {
  readonly tables: {
    readonly connections: dynamodb.ITable;
    readonly messages: dynamodb.ITable;
    /** Holds the hourly failed-download counters of the per-connection breaker (TTL'd items). */
    readonly dedupe: dynamodb.ITable;
  };
  /** The jobs (see `MediaQueue`). */
  readonly queue: sqs.Queue;
  /** Where files go. */
  readonly mediaBucket: MediaBucket;
  /** Where `message.media.stored` goes. */
  readonly eventBus: events.IEventBus;
  readonly encryptionKey: kms.IKey;
  readonly endpoints: MediaBspEndpoints;
  /**
   * Prefix of connection secret names; the function reads `${prefix}/connections/*` only.
   * @default CONNECTION_SECRET_PREFIX
   */
  readonly secretNamePrefix?: string;
  /**
   * Concurrent invocations at most: bounds the downloads running against the BSPs at once.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;
  /**
   * Called when the errors alarm fires (and recovers).
   * @default - no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The media function: consumes the media queue one job at a time (a job is one inbound message's
 * media), downloads each file through its provider's media fetcher (safe fetching: allow-listed
 * hosts, public addresses only, pinned connections), streams it into the media bucket, records the
 * result on the message and publishes `message.media.stored`. A job that must wait (the BSP busy,
 * the connection's breaker open) is reported as a batch item failure after its visibility was set
 * to the backoff (ChangeMessageVisibility).
 *
 * One job per invocation and 1 GB of memory: a 100 MB document streams through in 5 MB parts, and a
 * job never shares its invocation's time with another one's download.
 */
export class MediaFunction extends Construct {
  public readonly function: lambda.IFunction;
  public readonly echoFunction: EchoFunction;
  /** Fires when invocations fail as a whole (unhandled error, timeout). */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MediaFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables, queue } = props;

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'media',
      serviceName: MEDIA_SERVICE_NAME,
      timeout: Duration.seconds(MEDIA_CONSUMER_TIMEOUT_SECONDS),
      memorySize: 1024,
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
      environment: {
        CONNECTIONS_TABLE: tables.connections.tableName,
        MESSAGES_TABLE: tables.messages.tableName,
        DEDUPE_TABLE: tables.dedupe.tableName,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        MEDIA_QUEUE_URL: queue.queueUrl,
        TWILIO_API_BASE_URL: props.endpoints.twilioApiBaseUrl,
        META_GRAPH_BASE_URL: props.endpoints.metaGraphBaseUrl,
        DIALOG360_BASE_URL: props.endpoints.dialog360BaseUrl,
      },
    });
    this.function = this.echoFunction.function;
    const fn = this.echoFunction;

    const visibility = (queue.node.defaultChild as { visibilityTimeout?: unknown }).visibilityTimeout;
    if (typeof visibility !== 'number' || visibility < MEDIA_CONSUMER_TIMEOUT_SECONDS * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT) {
      throw new Error(`${queue.node.path}: visibility timeout must be ≥ ${VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT} × ${MEDIA_CONSUMER_TIMEOUT_SECONDS} s`);
    }
    // What Lambda's poller does with the role, and the handler's backoff (ChangeMessageVisibility).
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        resources: [queue.queueArn],
      }),
    );
    fn.addToRolePolicy(kmsViaService(props.encryptionKey, stack, 'sqs', ['kms:Decrypt']));
    new lambda.EventSourceMapping(this, 'QueueEventSource', {
      target: this.function,
      eventSourceArn: queue.queueArn,
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency ?? 10,
    });

    // The job's connection (provider, secret), its message (current mirrors: GetItem; results:
    // conditional UpdateItem), and the breaker's hourly counters in the dedupe table.
    fn.addToRolePolicy(dynamoStatement(tables.connections, ['dynamodb:GetItem']));
    fn.addToRolePolicy(dynamoStatement(tables.messages, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    fn.addToRolePolicy(dynamoStatement(tables.dedupe, ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']));
    fn.addToRolePolicy(kmsViaService(props.encryptionKey, stack, 'dynamodb', DYNAMODB_KMS_ACTIONS));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    props.mediaBucket.grantWrite(fn, props.encryptionKey);
    allowConnectionSecretsRead(fn, props.encryptionKey, {
      secretNamePrefix: props.secretNamePrefix,
      reason:
        "The media function downloads each file with the credentials of the connection it arrived on (Twilio's " +
        "Basic auth, Meta's token, 360dialog's key), and connections are created at run time by the admin API, " +
        'so no list of secret ARNs exists at deploy time.',
    });

    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', this.function, {
      description:
        'The media function failed whole invocations (unhandled error or timeout): inbound media is not being ' +
        'mirrored, so the AI and the settings page get no links. Jobs retry from the media queue, then its DLQ.',
      action: props.alarmAction,
    });
  }
}
