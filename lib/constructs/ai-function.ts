import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AI_DEFAULTS, CONSUMER_TIMEOUT_SECONDS, RESPONDERS, SEND_DEFAULTS, SERVICE, type Responder } from '../config';
import { functionErrorsAlarm } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import { consumeFifoQueue } from './fifo-consumer';
import { allowConnectionSecretsRead, DYNAMODB_KMS_ACTIONS, dynamoStatement, kmsViaService, SQS_PRODUCER_KMS_ACTIONS } from './policy';

export interface AiFunctionProps {
  /** The tables the AI hand-off reads (see `StatefulStack`). */
  readonly tables: {
    readonly connections: dynamodb.ITable;
    readonly conversations: dynamodb.ITable;
    readonly messages: dynamodb.ITable;
  };
  /** The queue of stored inbound messages the function consumes. */
  readonly inboundQueue: sqs.Queue;
  /** Where the responder's replies are enqueued for the send Lambda. */
  readonly outboundQueue: sqs.IQueue;
  /** Where events go. */
  readonly eventBus: events.IEventBus;
  /** The key protecting tables, queues and the function's logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Who answers (`RESPONDER`).
   * @default AI_DEFAULTS.responder ('none': another Echo service replies through the outbound queue)
   */
  readonly responder?: Responder;
  /**
   * The Echo AI endpoint (`AI_ENDPOINT_URL`), http(s). Required when {@link responder} is `http`.
   * @default - unset
   */
  readonly aiEndpointUrl?: string;
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

  /**
   * Prefix of connection secret names; the function may read `${prefix}/connections/*` only (read
   * receipts are sent with the connection's own credentials).
   * @default CONNECTION_SECRET_PREFIX
   */
  readonly secretNamePrefix?: string;
}

/**
 * The AI Lambda: consumes the inbound FIFO queue (partial batch responses), loads the
 * conversation's recent messages, asks the configured responder and enqueues its replies on the
 * outbound queue. It reads messages by query on the conversation's partition (never a scan), and
 * writes nothing but the conversation item (clearing the options a numbered reply answered).
 */
export class AiFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;
  /** The reusable wrapper (role, log group). */
  public readonly echoFunction: EchoFunction;
  /** Fires when a whole batch fails. */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AiFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables } = props;
    const responder = props.responder ?? AI_DEFAULTS.responder;
    validateResponder(responder, props.aiEndpointUrl);

    const environment: Record<string, string> = {
      CONNECTIONS_TABLE: tables.connections.tableName,
      CONVERSATIONS_TABLE: tables.conversations.tableName,
      MESSAGES_TABLE: tables.messages.tableName,
      OUTBOUND_QUEUE_URL: props.outboundQueue.queueUrl,
      INBOUND_QUEUE_URL: props.inboundQueue.queueUrl,
      EVENT_BUS_NAME: props.eventBus.eventBusName,
      RESPONDER: responder,
      AI_ENDPOINT_TIMEOUT_MS: String(AI_DEFAULTS.endpointTimeoutMs),
      AI_HISTORY_LIMIT: String(AI_DEFAULTS.historyLimit),
      SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
      META_GRAPH_BASE_URL: SEND_DEFAULTS.metaGraphBaseUrl,
      DIALOG360_BASE_URL: SEND_DEFAULTS.dialog360BaseUrl,
    };
    if (props.aiEndpointUrl) environment.AI_ENDPOINT_URL = props.aiEndpointUrl;

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'ai',
      serviceName: SERVICE.ai,
      timeout: Duration.seconds(CONSUMER_TIMEOUT_SECONDS.inbound),
      environment,
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
    });
    this.function = this.echoFunction.function;
    const allow = (statement: iam.PolicyStatement) => this.echoFunction.addToRolePolicy(statement);

    // A failed message is retried by the queue (visibility timeout, then the DLQ). The one backoff of
    // its own: a message whose media is still being mirrored returns after a few seconds
    // (ChangeMessageVisibility), not after the whole visibility timeout.
    consumeFifoQueue(this.echoFunction, props.inboundQueue, {
      encryptionKey: props.encryptionKey,
      extraQueueActions: ['sqs:ChangeMessageVisibility'],
      batchSize: 10,
      maxConcurrency: AI_DEFAULTS.maxConcurrency,
    });

    // The conversation's `pendingOptions` (GetItem), cleared once a numbered reply chose one.
    allow(dynamoStatement(tables.conversations, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    // History: the latest messages of one conversation (its partition), newest first.
    allow(dynamoStatement(tables.messages, ['dynamodb:Query']));
    // The message's media mirrors (GetItem), for presigned links.
    allow(dynamoStatement(tables.messages, ['dynamodb:GetItem']));
    allow(kmsViaService(props.encryptionKey, stack, 'dynamodb', DYNAMODB_KMS_ACTIONS));

    allow(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.outboundQueue.queueArn] }));
    allow(kmsViaService(props.encryptionKey, stack, 'sqs', SQS_PRODUCER_KMS_ACTIONS));
    // Read receipts ("typing…" on Cloud API numbers): the message's connection and its secret.
    allow(dynamoStatement(tables.connections, ['dynamodb:GetItem']));
    allowConnectionSecretsRead(this.echoFunction, props.encryptionKey, {
      secretNamePrefix: props.secretNamePrefix,
      reason:
        'The AI Lambda marks a customer message read (and shows "typing…") with the credentials of ' +
        'whichever connection it arrived on, and connections (with their secrets) are created at run ' +
        'time by the admin API, so no list of ARNs exists at deploy time.',
    });
    // Deliberately no events:PutEvents: the handler publishes nothing (the webhook already announced
    // `message.received`). EVENT_BUS_NAME is still set, so the environment contract is the same for
    // every consumer; a handler that starts publishing needs a grant here (moto does not enforce
    // IAM, so only AWS would notice).

    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', this.function, {
      description:
        'The AI Lambda failed whole batches (unhandled error or timeout): customers wait for replies and ' +
        'their conversations are blocked until the batch succeeds or reaches the inbound DLQ.',
      action: props.alarmAction,
    });
  }
}

/**
 * Fails synthesis on a responder the AI Lambda does not know, or on `http` without a usable
 * endpoint: a deploy that could never answer a customer should not get as far as CloudFormation.
 */
export function validateResponder(responder: string, aiEndpointUrl: string | undefined): asserts responder is Responder {
  if (!(RESPONDERS as readonly string[]).includes(responder)) {
    throw new Error(`context "responder" must be one of ${RESPONDERS.join(', ')}; got "${responder}"`);
  }
  if (aiEndpointUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(aiEndpointUrl);
    } catch {
      throw new Error(`context "aiEndpointUrl" must be an absolute http(s) URL; got "${aiEndpointUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`context "aiEndpointUrl" must be an http(s) URL; got "${aiEndpointUrl}"`);
    }
  }
  if (responder === 'http' && !aiEndpointUrl) {
    throw new Error(
      'context "responder" is "http" but "aiEndpointUrl" is not set: pass the Echo AI endpoint, e.g. ' +
        '`cdk deploy -c responder=http -c aiEndpointUrl=https://ai.echo.example/whatsapp`',
    );
  }
}
