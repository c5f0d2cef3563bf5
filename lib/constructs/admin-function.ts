import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ADMIN_DEFAULTS, CONNECTION_SECRET_PREFIX, connectionSecretPath, SEND_DEFAULTS, SERVICE } from '../config';
import { functionErrorsAlarm } from './alarms';
import { EchoFunction, type PowertoolsLogLevel } from './echo-function';
import {
  DYNAMODB_KMS_ACTIONS,
  dynamoIndexStatement,
  dynamoStatement,
  flattenedSecretsPattern,
  kmsViaService,
  SQS_PRODUCER_KMS_ACTIONS,
} from './policy';

/** `POWERTOOLS_SERVICE_NAME` of the admin Lambda. */
export const ADMIN_SERVICE_NAME = SERVICE.admin;

/**
 * The Secrets Manager actions of the admin Lambda, the only writer of connection secrets: create
 * (tags allowed) on the first PUT, a new version on re-save (rotation; a secret still pending
 * deletion is restored first), describe and read (connection test), schedule deletion on DELETE.
 * Nothing else in the app may hold any of these but `GetSecretValue` (asserted in test/infra).
 */
export const ADMIN_SECRET_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RestoreSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:TagResource',
];

export interface AdminFunctionProps {
  /** The tables the admin API reads and writes (see `StatefulStack`). */
  readonly tables: {
    readonly connections: dynamodb.ITable;
    readonly conversations: dynamodb.ITable;
    readonly messages: dynamodb.ITable;
    readonly templates: dynamodb.ITable;
    readonly audit: dynamodb.ITable;
    /** Where `POST …/messages` claims idempotency keys (`admin#…` items, next to the send Lambda's). */
    readonly dedupe: dynamodb.ITable;
  };
  /** Where `POST …/messages` enqueues outbound contract messages. */
  readonly outboundQueue: sqs.IQueue;
  /** Where `connection.changed` goes. */
  readonly eventBus: events.IEventBus;
  /** The key protecting tables, queue, secrets and the function's logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Public base URL of the webhook, no trailing slash: the webhook URLs the page shows are built on
   * it (`WEBHOOK_BASE_URL`, the same value as the send Lambda's).
   */
  readonly webhookBaseUrl: string;
  /**
   * Prefix of connection secret names; the function may manage `${prefix}/connections/*` only.
   * @default CONNECTION_SECRET_PREFIX ('echo-whatsapp')
   */
  readonly secretNamePrefix?: string;
  /**
   * The token claim naming the business (`BUSINESS_CLAIM`).
   * @default ADMIN_DEFAULTS.businessClaim ('custom:business_id')
   */
  readonly businessClaim?: string;
  /**
   * Days audit records are kept (`AUDIT_RETENTION_DAYS`, the TTL the handler writes).
   * @default ADMIN_DEFAULTS.auditRetentionDays (400)
   */
  readonly auditRetentionDays?: number;
  /**
   * `RecoveryWindowInDays` of a deleted connection's secret (`SECRET_RECOVERY_WINDOW_DAYS`), 7..30.
   * @default ADMIN_DEFAULTS.secretRecoveryWindowDays (7)
   */
  readonly secretRecoveryWindowDays?: number;
  /**
   * Echo's own Meta app ("Connect with Facebook"): its id (`META_APP_ID`) and the `meta-app` secret
   * (`META_APP_SECRET_ARN`), which the function may then read to exchange Embedded Signup codes.
   * @default - none: the route answers 409 `not-supported`
   */
  readonly metaApp?: { readonly appId: string; readonly secret: secretsmanager.ISecret };
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
 * The admin Lambda behind every admin API route (`lambdas/handlers/admin`). Its permissions follow
 * the routes, item by item and index by index (no Scan, no `/index/*`, no table it does not use):
 * - connection: Get/Put/Update/Delete/ConditionCheck on connections (the business's
 *   current-connection pointer item and the connection item change in one transaction; DELETE
 *   removes the pointer), Query on `byBusiness`;
 * - credentials: the connection secrets under the prefix only, the only writer of them;
 * - conversations and messages: Query on conversations' `byBusiness` and on messages, GetItem on
 *   a conversation (its business is checked against the token);
 * - send: SendMessage on the outbound queue, and Put (conditional) / Get of its idempotency claim
 *   in the dedupe table; templates: Query/Get/Put/Update;
 * - audit: PutItem only (records are never changed by the API);
 * - announce: nothing directly (its `connection.changed` events are outbox entries on the connection
 *   writes, published by the event relay), so no PutEvents; the key only through DynamoDB, SQS and
 *   Secrets Manager.
 */
export class AdminFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;
  /** The reusable wrapper (role, log group). */
  public readonly echoFunction: EchoFunction;
  /** Fires on any failed invocation (the API then answers 500). */
  public readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AdminFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { tables } = props;
    const secretNamePrefix = props.secretNamePrefix ?? CONNECTION_SECRET_PREFIX;
    const recoveryWindowDays = props.secretRecoveryWindowDays ?? ADMIN_DEFAULTS.secretRecoveryWindowDays;
    if (!Number.isInteger(recoveryWindowDays) || recoveryWindowDays < 7 || recoveryWindowDays > 30) {
      throw new Error(`secretRecoveryWindowDays must be a whole number from 7 to 30, got ${recoveryWindowDays}`);
    }

    this.echoFunction = new EchoFunction(this, 'Handler', {
      handlerName: 'admin',
      serviceName: ADMIN_SERVICE_NAME,
      timeout: Duration.seconds(ADMIN_DEFAULTS.timeoutSeconds),
      logLevel: props.logLevel,
      logEncryptionKey: props.encryptionKey,
      environment: {
        CONNECTIONS_TABLE: tables.connections.tableName,
        CONVERSATIONS_TABLE: tables.conversations.tableName,
        MESSAGES_TABLE: tables.messages.tableName,
        TEMPLATES_TABLE: tables.templates.tableName,
        AUDIT_TABLE: tables.audit.tableName,
        // The same value as the send Lambda's: the local runtime runs both in one environment.
        DEDUPE_TABLE: tables.dedupe.tableName,
        OUTBOUND_QUEUE_URL: props.outboundQueue.queueUrl,
        EVENT_BUS_NAME: props.eventBus.eventBusName,
        SECRET_NAME_PREFIX: secretNamePrefix,
        SECRETS_KMS_KEY_ID: props.encryptionKey.keyArn,
        SECRET_RECOVERY_WINDOW_DAYS: String(recoveryWindowDays),
        WEBHOOK_BASE_URL: props.webhookBaseUrl,
        TWILIO_API_BASE_URL: SEND_DEFAULTS.twilioApiBaseUrl,
        TWILIO_CONTENT_BASE_URL: SEND_DEFAULTS.twilioContentBaseUrl,
        META_GRAPH_BASE_URL: SEND_DEFAULTS.metaGraphBaseUrl,
        DIALOG360_BASE_URL: SEND_DEFAULTS.dialog360BaseUrl,
        SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
        BUSINESS_CLAIM: props.businessClaim ?? ADMIN_DEFAULTS.businessClaim,
        AUDIT_RETENTION_DAYS: String(props.auditRetentionDays ?? ADMIN_DEFAULTS.auditRetentionDays),
        ...(props.metaApp && { META_APP_ID: props.metaApp.appId, META_APP_SECRET_ARN: props.metaApp.secret.secretArn }),
      },
    });
    this.function = this.echoFunction.function;
    const allow = (statement: iam.PolicyStatement) => this.echoFunction.addToRolePolicy(statement);

    // --- DynamoDB, per table and action. A TransactWriteItems needs the action of each contained
    // Put/Update/ConditionCheck on that item's table; there is no transaction-level IAM action.
    allow(
      dynamoStatement(tables.connections, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
      ]),
    );
    allow(dynamoIndexStatement(tables.connections, 'byBusiness', ['dynamodb:Query']));
    // UpdateItem: the AI/owner hand-off (pause, resume, and the pause after an owner's send).
    allow(dynamoStatement(tables.conversations, ['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    allow(dynamoIndexStatement(tables.conversations, 'byBusiness', ['dynamodb:Query']));
    allow(dynamoStatement(tables.messages, ['dynamodb:Query']));
    allow(
      dynamoStatement(tables.templates, ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    allow(dynamoStatement(tables.audit, ['dynamodb:PutItem']));
    // `admin#business#idempotencyKey` claim: Put (attribute_not_exists); Get the earlier claim on a retry.
    allow(dynamoStatement(tables.dedupe, ['dynamodb:PutItem', 'dynamodb:GetItem']));
    allow(kmsViaService(props.encryptionKey, stack, 'dynamodb', DYNAMODB_KMS_ACTIONS));

    // --- The outbound queue (the admin API's "send" is one more producer of the outbound contract).
    allow(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.outboundQueue.queueArn] }));
    allow(kmsViaService(props.encryptionKey, stack, 'sqs', SQS_PRODUCER_KMS_ACTIONS));

    // --- Secrets Manager: the connection secrets only, created with our key (KmsKeyId).
    allow(
      new iam.PolicyStatement({
        actions: ADMIN_SECRET_ACTIONS,
        resources: [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${connectionSecretPath(secretNamePrefix)}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // Echo's Meta app secret: read only (the operator fills it in), for the Embedded Signup code exchange.
    if (props.metaApp) allow(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.metaApp.secret.secretArn] }));
    // Secrets Manager asks KMS for a data key when it stores a version, and to decrypt on read.
    allow(kmsViaService(props.encryptionKey, stack, 'secretsmanager', ['kms:GenerateDataKey', 'kms:Decrypt']));
    Validations.of(this.echoFunction.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenedSecretsPattern(secretNamePrefix)}]`,
      reason:
        'The admin API creates one secret per WhatsApp connection at run time (PUT connection), names it ' +
        '<prefix>/connections/<random connection id>, rotates it on re-save and schedules its deletion on ' +
        'DELETE, so no list of secret ARNs exists at deploy time. The wildcard is confined to the ' +
        'connection-secret prefix; Secrets Manager appends a random suffix to every secret ARN, which ' +
        'also needs the trailing wildcard. No other role of the app may write secrets (test/infra).',
    });

    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', this.function, {
      description:
        'The admin Lambda failed (unhandled error or timeout): the settings page got 500 or 503 for a ' +
        'connection, conversation or template call; see its logs.',
      action: props.alarmAction,
    });
  }
}
