import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONSUMER_TIMEOUT_SECONDS, METRIC, METRICS_NAMESPACE, SEND_DEFAULTS, SERVICE } from '../config';
import { functionErrorsAlarm, withAction } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import { consumeFifoQueue } from './fifo-consumer';
import {
  allowConnectionSecretsRead,
  DYNAMODB_KMS_ACTIONS,
  dynamoIndexStatement,
  dynamoStatement,
  kmsViaService,
} from './policy';

/** `POWERTOOLS_SERVICE_NAME` of the send Lambda, and the `service` dimension of its metrics. */
export const SEND_SERVICE_NAME = SERVICE.send;

export interface SendFunctionProps {
  /** The tables the send path reads and writes (see `StatefulStack`). */
  readonly tables: {
    readonly connections: dynamodb.ITable;
    readonly conversations: dynamodb.ITable;
    readonly messages: dynamodb.ITable;
    readonly dedupe: dynamodb.ITable;
    readonly templates: dynamodb.ITable;
    readonly contentCache: dynamodb.ITable;
  };
  /** The queue the function consumes, and re-enqueues fallbacks (template, plain text) to. */
  readonly outboundQueue: sqs.Queue;
  /** Receives of one record before its DLQ (`MAX_RECEIVE_COUNT`): a safety net; the retry budget is on the message record. */
  readonly maxReceiveCount: number;
  /** Where `send.failed` (and status) events go. */
  readonly eventBus: events.IEventBus;
  /** The key protecting tables, queue, secrets and the function's logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Public base URL of the webhook, no trailing slash: status callback URLs are built on it
   * (`WEBHOOK_BASE_URL`).
   */
  readonly webhookBaseUrl: string;
  /**
   * Prefix of connection secret names; the function may read `${prefix}/connections/*` only.
   * @default CONNECTION_SECRET_PREFIX ('echo-whatsapp')
   */
  readonly secretNamePrefix?: string;
  /**
   * Messages that end `failed` within 5 minutes at which the `SendFailed` alarm fires. Some failures
   * are normal (numbers that are not on WhatsApp, windows that closed), so the default is not 1.
   * @default 10
   */
  readonly sendFailedThreshold?: number;
  /**
   * Services (`service` dimension) whose `SendFailed` metrics the alarm sums: every function that
   * ends messages `failed` (the outcome watchdog does too).
   * @default [SEND_SERVICE_NAME]
   */
  readonly sendFailedServices?: string[];
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
 * The send Lambda: consumes the outbound FIFO queue (one message group per conversation, partial
 * batch responses), records each message under our own key, and sends it through the connection's
 * BSP. Its permissions follow that path:
 * - record: the message and its idempotency marker in one transaction (Put + ConditionCheck);
 * - check: the connection (by key, or a business's connections through `byBusiness`), the
 *   conversation's 24-hour window, templates, the Content cache;
 * - send: the connection's secret (read only), the BSP over HTTPS;
 * - retry: `ChangeMessageVisibility` on its own queue only;
 * - announce: `PutEvents` on our bus.
 */
export class SendFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;
  /** The reusable wrapper (role, log group). */
  public readonly echoFunction: EchoFunction;
  /** Fires when a whole batch fails (unhandled error or timeout). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Fires when many messages end `failed` (`SendFailed` metric). */
  public readonly sendFailedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SendFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables } = props;

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'send',
      serviceName: SEND_SERVICE_NAME,
      timeout: Duration.seconds(CONSUMER_TIMEOUT_SECONDS.outbound),
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
      environment: {
        CONNECTIONS_TABLE: tables.connections.tableName,
        CONVERSATIONS_TABLE: tables.conversations.tableName,
        MESSAGES_TABLE: tables.messages.tableName,
        DEDUPE_TABLE: tables.dedupe.tableName,
        TEMPLATES_TABLE: tables.templates.tableName,
        CONTENT_CACHE_TABLE: tables.contentCache.tableName,
        OUTBOUND_QUEUE_URL: props.outboundQueue.queueUrl,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        WEBHOOK_BASE_URL: props.webhookBaseUrl,
        TWILIO_API_BASE_URL: SEND_DEFAULTS.twilioApiBaseUrl,
        TWILIO_CONTENT_BASE_URL: SEND_DEFAULTS.twilioContentBaseUrl,
        META_GRAPH_BASE_URL: SEND_DEFAULTS.metaGraphBaseUrl,
        DIALOG360_BASE_URL: SEND_DEFAULTS.dialog360BaseUrl,
        MAX_RECEIVE_COUNT: String(props.maxReceiveCount),
        SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
        SEND_TIMEOUT_MS: String(SEND_DEFAULTS.sendTimeoutMs),
      },
    });
    this.function = this.echoFunction.function;
    const allow = (statement: iam.PolicyStatement) => this.echoFunction.addToRolePolicy(statement);

    // --- The queue: Lambda receives and deletes; the handler backs off a failed message with
    // ChangeMessageVisibility(Batch) on this queue only. It never enqueues: fallbacks are sent in
    // the same invocation (and by the webhook, on a refusal callback).
    consumeFifoQueue(this.echoFunction, props.outboundQueue, {
      encryptionKey: props.encryptionKey,
      batchSize: 10,
      extraQueueActions: ['sqs:ChangeMessageVisibility'],
      maxConcurrency: SEND_DEFAULTS.maxConcurrency,
    });

    // --- DynamoDB: per table, per action. A transaction needs the action of each contained
    // Put/Update/ConditionCheck on that item's table (see WhatsAppWebhook); the record
    // transaction is Put dedupe + Put message + Update conversation, with no ConditionCheck.
    // The connection by key; a business's connection when the message names no connection.
    // UpdateItem: the `attention` marker when the BSP refuses a connection's credentials (one conditional write).
    allow(dynamoStatement(tables.connections, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    allow(dynamoIndexStatement(tables.connections, 'byBusiness', ['dynamodb:Query']));
    // The 24-hour window; the conversation update in the record transaction, and `pendingOptions`
    // when a rich message is downgraded to numbered text.
    allow(dynamoStatement(tables.conversations, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    // Record (Put in the transaction), read back on replay, move sendState/deliveryStatus forward.
    allow(dynamoStatement(tables.messages, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']));
    // `outbound#business#idempotencyKey` marker (Put, attribute_not_exists) in the same
    // transaction; read on a replay to find the message recorded the first time.
    allow(dynamoStatement(tables.dedupe, ['dynamodb:PutItem', 'dynamodb:GetItem']));
    // A template by key (`businessId`, `name#language`).
    allow(dynamoStatement(tables.templates, ['dynamodb:GetItem']));
    // Twilio Content created once per distinct content.
    allow(dynamoStatement(tables.contentCache, ['dynamodb:GetItem', 'dynamodb:PutItem']));
    allow(kmsViaService(props.encryptionKey, stack, 'dynamodb', DYNAMODB_KMS_ACTIONS));

    // --- EventBridge.
    allow(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));

    // --- Secrets Manager: read-only, the connection secrets only.
    allowConnectionSecretsRead(this.echoFunction, props.encryptionKey, {
      secretNamePrefix: props.secretNamePrefix,
      reason:
        'The send Lambda calls the BSP with the credentials of whichever connection an outbound message ' +
        'belongs to, and connections (with their secrets) are created at run time by the admin API, so no ' +
        'list of ARNs exists at deploy time.',
    });

    // --- Alarms.
    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', this.function, {
      description:
        'The send Lambda failed whole batches (unhandled error or timeout): replies wait in the outbound ' +
        'queue and their conversations are blocked until the batch succeeds or reaches the DLQ.',
      action: props.alarmAction,
    });
    const services = props.sendFailedServices ?? [SEND_SERVICE_NAME];
    this.sendFailedAlarm = new cloudwatch.Alarm(this, 'SendFailedAlarm', {
      alarmDescription:
        'Many outbound WhatsApp messages ended failed (permanent BSP errors, closed windows, retries ' +
        'exhausted, unknown outcomes, failures the BSP reported later on a status with no fallback left): ' +
        'see send.failed events and the send, outcome-watchdog and webhook Lambda logs.',
      // SUM([...]) adds the series per period and, unlike `a + b`, keeps periods where one is missing.
      metric: new cloudwatch.MathExpression({
        label: 'Messages ended failed',
        expression: `SUM([${services.map((_, index) => `s${index}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(
          services.map((service, index) => [
            `s${index}`,
            new cloudwatch.Metric({
              namespace: METRICS_NAMESPACE,
              metricName: METRIC.sendFailed,
              // Powertools adds the service as the one default dimension.
              dimensionsMap: { service },
              statistic: cloudwatch.Stats.SUM,
              period: Duration.minutes(5),
            }),
          ]),
        ),
        period: Duration.minutes(5),
      }),
      threshold: props.sendFailedThreshold ?? 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.sendFailedAlarm, props.alarmAction);
  }
}
