import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE, WEBHOOK_DEFAULTS, WEBHOOK_TIMEOUT_SECONDS } from '../config';
import { WEBHOOK_SCALING } from '../scaling';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import {
  allowConnectionSecretsRead,
  DYNAMODB_KMS_ACTIONS,
  dynamoIndexStatement,
  dynamoStatement,
  kmsViaService,
  SQS_PRODUCER_KMS_ACTIONS,
} from './policy';

/** The webhook's Powertools service name: the `service` dimension of its metrics (`SendFailed` among them). */
export const WEBHOOK_SERVICE_NAME = SERVICE.webhook;

export interface WhatsAppWebhookProps {
  /** The four tables (see `StatefulStack`). */
  readonly tables: {
    readonly connections: dynamodb.ITable;
    readonly conversations: dynamodb.ITable;
    readonly messages: dynamodb.ITable;
    readonly dedupe: dynamodb.ITable;
  };
  /** Where stored inbound messages are enqueued for the AI Lambda. */
  readonly inboundQueue: sqs.IQueue;
  /**
   * Where the webhook enqueues a fallback (template or plain text) when a status callback reports
   * that the BSP refused a sent message (Twilio 63016 outside the window, rejected rich content).
   */
  readonly outboundQueue: sqs.IQueue;
  /** Where `message.received` / `message.status` events are published. */
  readonly eventBus: events.IEventBus;
  /** The key protecting tables, queue, secrets and the function's logs. */
  readonly encryptionKey: kms.IKey;

  /**
   * Echo's own Meta app secret (see `MetaAppSecret`): enables the app-level route
   * `…/webhook/whatsapp/meta` (`META_APP_SECRET_ARN`), which the function then may read.
   * @default - no app-level route (it answers 403)
   */
  readonly metaAppSecret?: secretsmanager.ISecret;

  /**
   * Prefix of connection secret names; the function may read `${prefix}/connections/*` only.
   * @default CONNECTION_SECRET_PREFIX ('echo-whatsapp')
   */
  readonly secretNamePrefix?: string;

  /**
   * The URL the BSP calls, when a custom domain or base path fronts API Gateway (Twilio signs the
   * URL as it called it). Becomes `PUBLIC_BASE_URL`.
   * @default - not set: the webhook rebuilds the URL from the request it received
   */
  readonly publicBaseUrl?: string;

  /**
   * How long a connection's BSP credentials are cached in the function (`SECRETS_CACHE_TTL_SECONDS`).
   * @default Duration.seconds(300)
   */
  readonly secretsCacheTtl?: Duration;

  /**
   * How long a connection item is cached (`CONNECTION_CACHE_TTL_SECONDS`): how quickly a disabled
   * connection stops being accepted.
   * @default Duration.seconds(30)
   */
  readonly connectionCacheTtl?: Duration;

  /**
   * How long dedupe markers live (`DEDUPE_TTL_DAYS`); must exceed the longest BSP retry period.
   * @default 14
   */
  readonly dedupeTtlDays?: number;

  /**
   * `POWERTOOLS_LOG_LEVEL` of the function.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;

  /**
   * Called when the errors alarm fires (and recovers).
   * @default - the alarm has no action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;

  /**
   * Executions reserved for the webhook out of the account's pool (and its cap): no burst of the
   * queue consumers or the event relay can take them, so BSP deliveries keep being acknowledged.
   * @default WEBHOOK_SCALING.reservedConcurrency (400: 5,333 requests/s at a 75 ms p99; see lib/scaling.ts)
   */
  readonly reservedConcurrency?: number;
}

/**
 * The webhook Lambda that BSPs call, with exactly the permissions its code path needs:
 * verify (read the connection and its secret), store (one DynamoDB transaction), enqueue, announce.
 *
 * DynamoDB has no IAM action for `TransactWriteItems` itself: it authorises each contained
 * Put / Update / ConditionCheck against `dynamodb:PutItem` / `UpdateItem` / `ConditionCheckItem`
 * on that item's table. So the grants below are per table and per action, and the function can
 * never Scan, Query, Delete or read tables it does not need.
 */
export class WhatsAppWebhook extends Construct {
  /** The webhook function. */
  public readonly function: lambda.IFunction;
  /** The reusable wrapper (role, log group). */
  public readonly echoFunction: EchoFunction;
  /** Fires when invocations fail (unhandled errors or timeouts): BSP deliveries are being lost or retried. */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WhatsAppWebhookProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables } = props;

    const environment: Record<string, string> = {
      CONNECTIONS_TABLE: tables.connections.tableName,
      CONVERSATIONS_TABLE: tables.conversations.tableName,
      MESSAGES_TABLE: tables.messages.tableName,
      DEDUPE_TABLE: tables.dedupe.tableName,
      INBOUND_QUEUE_URL: props.inboundQueue.queueUrl,
      OUTBOUND_QUEUE_URL: props.outboundQueue.queueUrl,
      EVENT_BUS_NAME: props.eventBus.eventBusName,
      SECRETS_CACHE_TTL_SECONDS: String(
        props.secretsCacheTtl?.toSeconds() ?? WEBHOOK_DEFAULTS.secretsCacheTtlSeconds,
      ),
      CONNECTION_CACHE_TTL_SECONDS: String(
        props.connectionCacheTtl?.toSeconds() ?? WEBHOOK_DEFAULTS.connectionCacheTtlSeconds,
      ),
      DEDUPE_TTL_DAYS: String(props.dedupeTtlDays ?? WEBHOOK_DEFAULTS.dedupeTtlDays),
    };
    if (props.publicBaseUrl) environment.PUBLIC_BASE_URL = props.publicBaseUrl;
    if (props.metaAppSecret) environment.META_APP_SECRET_ARN = props.metaAppSecret.secretArn;

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'webhook',
      serviceName: WEBHOOK_SERVICE_NAME,
      timeout: Duration.seconds(WEBHOOK_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: props.reservedConcurrency ?? WEBHOOK_SCALING.reservedConcurrency,
      environment,
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
    });
    this.function = this.echoFunction.function;
    const allow = (statement: iam.PolicyStatement) => this.echoFunction.addToRolePolicy(statement);

    // --- DynamoDB: per table, per action (see the class comment on transactions).
    // Connection lookup by key, and the throttled `lastInboundAt` touch.
    // UpdateItem also disables a connection Meta removed us from (PARTNER_REMOVED) and records the
    // coexistence history import's progress; GetItem also reads number claims (app-level routing).
    allow(dynamoStatement(tables.connections, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    // The app-level route finds a WABA's connections (account events name no number).
    allow(dynamoIndexStatement(tables.connections, 'byProviderAccount', ['dynamodb:Query']));
    // The conversation update inside the ingestion transaction.
    allow(dynamoStatement(tables.conversations, ['dynamodb:UpdateItem']));
    // The message put inside the transaction; status callbacks update it by key, and read it back
    // when the forward-only condition fails (ReturnValuesOnConditionCheckFailure = ALL_OLD).
    allow(dynamoStatement(tables.messages, ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem']));
    // The dedupe marker put (attribute_not_exists) in the transaction, and the replay lookup.
    allow(
      dynamoStatement(tables.dedupe, ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:ConditionCheckItem']),
    );

    // --- KMS, always through the service that holds the data, never the key directly.
    // DynamoDB decrypts each table's key with the caller's authority (cached ~5 min per caller).
    allow(kmsViaService(props.encryptionKey, stack, 'dynamodb', DYNAMODB_KMS_ACTIONS));
    // SQS SSE-KMS, for both queues the webhook produces to.
    allow(kmsViaService(props.encryptionKey, stack, 'sqs', SQS_PRODUCER_KMS_ACTIONS));

    // --- SQS: inbound messages for the AI; fallbacks the status callbacks trigger go outbound.
    allow(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [props.inboundQueue.queueArn, props.outboundQueue.queueArn],
      }),
    );
    // --- EventBridge.
    allow(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));

    // --- Secrets Manager: read-only, only the connection secrets, decrypted only via Secrets Manager.
    allowConnectionSecretsRead(this.echoFunction, props.encryptionKey, {
      secretNamePrefix: props.secretNamePrefix,
      reason:
        'The webhook reads the secret of whichever connection a request names, and connections (with ' +
        'their secrets) are created at run time by the admin API, so no list of ARNs exists at deploy time.',
    });

    // Echo's Meta app secret: read-only, that one secret. Decrypted through Secrets Manager with the
    // stack's key, which the connection-secrets grant below allows. Not `grantRead`: that would
    // name this role in the stateful stack's key policy (a cycle between the stacks).
    if (props.metaAppSecret) {
      allow(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.metaAppSecret.secretArn] }));
    }

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription:
        'The WhatsApp webhook failed invocations (unhandled error or timeout). BSPs get no 2xx; Twilio hardly retries.',
      metric: this.function.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) {
      this.errorsAlarm.addAlarmAction(props.alarmAction);
      this.errorsAlarm.addOkAction(props.alarmAction);
    }
  }
}
