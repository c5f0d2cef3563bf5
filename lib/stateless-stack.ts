import { Aspects, CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  ADMIN_DEFAULTS,
  ADMIN_PATH_PREFIX,
  ADMIN_ROUTES,
  CONTEXT_KEYS,
  DEFAULT_WINDOW_LEAD_MINUTES,
  METRIC,
  METRICS_NAMESPACE,
  RECONCILE_DEFAULTS,
  SCHEDULES,
  SEND_DEFAULTS,
  SERVICE,
  WEBHOOK_DEFAULTS,
  WEBHOOK_ROUTE_KEYS,
  type Responder,
} from './config';
import { AdminApi, type AdminJwtSettings } from './constructs/admin-api';
import { AdminFunction } from './constructs/admin-function';
import { SettingsPageClient } from './constructs/admin-user-pool';
import { AiFunction } from './constructs/ai-function';
import { mediaBucketOrigin } from './constructs/media-bucket';
import { MediaFunction } from './constructs/media-function';
import { RunbookLinks, withAction } from './constructs/alarms';
import { OperationsAlarms } from './constructs/operations-alarms';
import { OperationsDashboard } from './constructs/operations-dashboard';
import { DEFAULT_QUIET_RULES } from '../lambdas/domain/connection-health';
import {
  allowConnectionSecretsRead,
  DYNAMODB_KMS_ACTIONS,
  dynamoIndexStatement,
  dynamoStatement,
  kmsViaService,
} from './constructs/policy';
import { ScheduledFunction } from './constructs/scheduled-function';
import { SendFunction } from './constructs/send-function';
import { EventRelay } from './constructs/event-relay';
import { WebhookApi, type WebhookThrottle } from './constructs/webhook-api';
import { SETTINGS_PAGE_PATH, WebHosting, type SettingsPageAuth } from './constructs/web-hosting';
import { FACEBOOK_MESSAGE_ORIGINS, FACEBOOK_SDK_URL } from './settings-csp';
import { META_GRAPH_VERSION } from '../lambdas/providers/whatsapp/meta/graph';
import { WhatsAppWebhook } from './constructs/whatsapp-webhook';
import type { StatefulStack } from './stateful-stack';

export interface StatelessStackProps extends StackProps {
  /** The stack holding the data this stack's functions use. */
  readonly stateful: StatefulStack;

  /**
   * Public base URL of the webhook when a custom domain or base path fronts API Gateway
   * (`PUBLIC_BASE_URL` of the webhook; the base of the send Lambda's status callback URLs).
   * @default - unset: the webhook rebuilds the URL from the request; the send Lambda uses the API's endpoint
   */
  readonly publicBaseUrl?: string;

  /**
   * Throttling of each webhook route.
   * @default WEBHOOK_SCALING.throttle ({ rateLimit: 1000, burstLimit: 2000 }, lib/scaling.ts)
   */
  readonly webhookThrottle?: WebhookThrottle;

  /**
   * Who answers inbound messages (`RESPONDER` of the AI Lambda).
   * @default 'none'
   */
  readonly responder?: Responder;

  /**
   * The Echo AI endpoint for the `http` responder (`AI_ENDPOINT_URL`).
   * @default - unset (required when `responder` is `http`)
   */
  readonly aiEndpointUrl?: string;

  /**
   * How long before a window closes the conversation is flagged `expiring` (`WINDOW_LEAD_MINUTES`).
   * @default DEFAULT_WINDOW_LEAD_MINUTES (60)
   */
  readonly windowLeadMinutes?: number;

  /**
   * An external OIDC issuer (Echo's own auth) whose tokens the admin API accepts instead of the
   * stateful stack's Cognito user pool. Required when the stateful stack has no user pool.
   * @default - the stateful stack's Cognito user pool and the settings page's app client
   */
  readonly externalJwt?: AdminJwtSettings;

  /**
   * The token claim naming the business (`BUSINESS_CLAIM`).
   * @default ADMIN_DEFAULTS.businessClaim ('custom:business_id')
   */
  readonly businessClaim?: string;

  /**
   * Days audit records are kept (`AUDIT_RETENTION_DAYS`).
   * @default ADMIN_DEFAULTS.auditRetentionDays (400)
   */
  readonly auditRetentionDays?: number;

  /**
   * Whether to deploy the settings page (S3 + CloudFront, with the admin API under `/businesses/*`).
   * @default true
   */
  readonly settingsPage?: boolean;

  /**
   * Echo's own Meta app (context `metaAppId`, `metaEmbeddedSignupConfigId`): the admin API may read
   * the stateful stack's `meta-app` secret to exchange Embedded Signup codes; with the configuration
   * id the settings page offers "Connect with Facebook".
   * @default - none: Meta connections are made with the owner's own app only
   */
  readonly metaApp?: { readonly appId: string; readonly embeddedSignupConfigId?: string };
}

/**
 * Functions, APIs and the settings page: no data lives here, so this stack can be redeployed
 * freely (the settings page's buckets are retained on deletion; they hold only the built page and
 * access logs).
 *
 * Each function is a direct child of the stack whose id names its handler folder (`Send` →
 * `lambdas/handlers/send`): the local runtime finds functions by that first path segment.
 */
export class StatelessStack extends Stack {
  /** The BSP webhook function and its alarm. */
  public readonly webhook: WhatsAppWebhook;
  /** The public webhook API. */
  public readonly webhookApi: WebhookApi;
  /** The outbound queue's consumer, which sends through the BSPs. */
  public readonly send: SendFunction;
  /** Publishes the events written on items (outbox) from the tables' streams to the bus. */
  public readonly eventRelay: EventRelay;
  /** The inbound queue's consumer, which hands messages to the responder. */
  public readonly ai: AiFunction;
  /** The media queue's consumer: mirrors inbound media into the media bucket. */
  public readonly media: MediaFunction;
  /** Every 5 minutes: flags expiring and closed 24-hour windows. */
  public readonly window: ScheduledFunction;
  /** Every 5 minutes: fails sends whose outcome stayed unknown past their deadline. */
  public readonly outcomeWatchdog: ScheduledFunction;
  /** Hourly: re-syncs template approval statuses. */
  public readonly templateSync: ScheduledFunction;
  /** Every 10 minutes: ingests inbound messages the BSP received but the webhook never got. */
  public readonly reconcile: ScheduledFunction;
  /** Fires when the reconciler ingested any message: the webhook missed it. */
  public readonly reconcileIngestedAlarm: cloudwatch.Alarm;
  /** Fires when the reconciler keeps failing (revoked credentials, the BSP down): the gaps stay open. */
  public readonly reconcileFailedAlarm: cloudwatch.Alarm;
  /** Hourly: reports connections that usually receive messages but have gone quiet. */
  public readonly connectionHealth: ScheduledFunction;
  /** The alarms of every failure mode not owned by one construct, and the composite "messages may be lost". */
  public readonly operationsAlarms: OperationsAlarms;
  /** The deployment's CloudWatch dashboard. */
  public readonly dashboard: OperationsDashboard;
  /** Runs of the scheduled functions that failed all their attempts. */
  public readonly scheduledDeadLetterQueue: sqs.Queue;
  /** The base URL status callbacks are built on (`WEBHOOK_BASE_URL`), no trailing slash. */
  public readonly webhookBaseUrl: string;
  /** The admin API's function (connections, credentials, conversations, templates). */
  public readonly admin: AdminFunction;
  /** The admin API (JWT on every route). */
  public readonly adminApi: AdminApi;
  /** The settings page's Cognito app client, when the stateful stack has a user pool. */
  public readonly settingsClient?: cognito.UserPoolClient;
  /** The settings page (S3 + CloudFront), unless disabled. */
  public readonly webHosting?: WebHosting;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    const {
      stateful,
      publicBaseUrl,
      webhookThrottle,
      responder,
      aiEndpointUrl,
      windowLeadMinutes,
      externalJwt,
      businessClaim,
      auditRetentionDays,
      settingsPage,
      metaApp,
      ...stackProps
    } = props;
    super(scope, id, {
      description: 'Echo WhatsApp: webhook and admin APIs, functions, settings page (stateless; redeploy freely)',
      ...stackProps,
    });
    // Strong references (CloudFormation export/import), chosen explicitly: the stateful stack then
    // cannot drop or replace a table, queue, key or bus while a function here still uses it. The
    // price is the two-step removal of an export ("deadly embrace", aws-cdk-lib README). Must be
    // set before any child construct exists.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { tables, encryptionKey: key, eventBus, alarmAction } = stateful;

    this.webhook = new WhatsAppWebhook(this, 'WhatsAppWebhook', {
      tables,
      inboundQueue: stateful.inboundQueue,
      outboundQueue: stateful.outboundQueue,
      eventBus,
      encryptionKey: key,
      secretNamePrefix: stateful.secretNamePrefix,
      metaAppSecret: stateful.metaAppSecret.secret,
      publicBaseUrl,
      alarmAction,
    });

    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      handler: this.webhook.function,
      routeKeys: WEBHOOK_ROUTE_KEYS,
      throttle: webhookThrottle,
      accessLogEncryptionKey: key,
      alarmAction,
    });

    new CfnOutput(this, 'WebhookBaseUrl', {
      description: 'Base URL of the BSP webhooks: <url>webhook/whatsapp/<twilio|meta|360dialog>/<connectionId>',
      value: this.webhookApi.url,
    });

    // The `$default` stage has no path prefix, so the API endpoint is the base of every route.
    this.webhookBaseUrl = publicBaseUrl?.replace(/\/+$/, '') ?? this.webhookApi.api.apiEndpoint;

    // --- Outbound: the send Lambda on the outbound FIFO queue.
    this.send = new SendFunction(this, 'Send', {
      tables,
      outboundQueue: stateful.outboundQueue,
      maxReceiveCount: stateful.outboundMaxReceiveCount,
      eventBus,
      encryptionKey: key,
      webhookBaseUrl: this.webhookBaseUrl,
      secretNamePrefix: stateful.secretNamePrefix,
      // The watchdog ends sends `failed` too (outcome-unknown), and so does the webhook when a
      // status reports a failure with no fallback: one alarm over all three sources.
      sendFailedServices: [SERVICE.send, SERVICE.outcomeWatchdog, SERVICE.webhook],
      alarmAction,
    });

    // --- Payload archive: the webhook keeps what it accepted, the send Lambda what it exchanged with the BSP.
    stateful.payloadArchive.grantWrite(this.webhook.echoFunction, 'inbound', key);
    stateful.payloadArchive.grantWrite(this.send.echoFunction, 'outbound', key);

    // --- Events from committed state: the items' outbox entries, from the tables' streams to the bus.
    this.eventRelay = new EventRelay(this, 'EventRelay', {
      tables: [tables.messages, tables.conversations, tables.connections],
      eventBus,
      encryptionKey: key,
      alarmAction,
    });

    // --- Inbound hand-off: the AI Lambda on the inbound FIFO queue.
    this.ai = new AiFunction(this, 'Ai', {
      tables,
      inboundQueue: stateful.inboundQueue,
      outboundQueue: stateful.outboundQueue,
      eventBus,
      encryptionKey: key,
      responder,
      aiEndpointUrl,
      secretNamePrefix: stateful.secretNamePrefix,
      alarmAction,
    });
    // The responder gets presigned links to the message's media.
    stateful.mediaBucket.grantPresign(this.ai.echoFunction, key);

    // --- Inbound media: the media queue's consumer copies each file into the media bucket.
    this.media = new MediaFunction(this, 'Media', {
      tables,
      queue: stateful.mediaQueue.queue,
      mediaBucket: stateful.mediaBucket,
      eventBus,
      encryptionKey: key,
      endpoints: {
        twilioApiBaseUrl: SEND_DEFAULTS.twilioApiBaseUrl,
        metaGraphBaseUrl: SEND_DEFAULTS.metaGraphBaseUrl,
        dialog360BaseUrl: SEND_DEFAULTS.dialog360BaseUrl,
      },
      secretNamePrefix: stateful.secretNamePrefix,
      alarmAction,
    });

    // --- Scheduled jobs. One dead-letter queue for all of them: it holds schedule events (no
    // customer data), each a run that failed every attempt; the next run redoes its work, so the
    // queue is for diagnosis and lives (and goes) with this stack.
    this.scheduledDeadLetterQueue = new sqs.Queue(this, 'ScheduledRunsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const scheduledDlqAlarm = new cloudwatch.Alarm(this, 'ScheduledRunsDeadLetterAlarm', {
      alarmDescription:
        'A scheduled job (window expiry, outcome watchdog, template sync, inbound reconciler) failed all ' +
        'its attempts; ' +
        'the failed event and error are in the dead-letter queue.',
      metric: this.scheduledDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(scheduledDlqAlarm, alarmAction);
    const scheduled = { encryptionKey: key, deadLetterQueue: this.scheduledDeadLetterQueue, alarmAction };
    // No events:PutEvents for the scheduled jobs: their events (window.expiring, the watchdog's
    // send.failed, the reconciler's message.received) ride on their writes as outbox entries, and
    // the event relay publishes them from the tables' streams.
    const dynamoKms = kmsViaService(key, this, 'dynamodb', DYNAMODB_KMS_ACTIONS);

    // Window expiry: reads one expiry bucket at a time through the GSI (never a scan), so its cost
    // follows the conversations that expire, not all conversations.
    this.window = new ScheduledFunction(this, 'Window', {
      ...scheduled,
      handlerName: 'window',
      serviceName: SERVICE.window,
      description: 'Flags conversations whose 24-hour WhatsApp window closes soon, and closed ones',
      every: Duration.minutes(SCHEDULES.window.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.window.timeoutSeconds),
      environment: {
        CONVERSATIONS_TABLE: tables.conversations.tableName,
        EVENT_BUS_NAME: eventBus.eventBusName,
        WINDOW_LEAD_MINUTES: String(windowLeadMinutes ?? DEFAULT_WINDOW_LEAD_MINUTES),
      },
    });
    this.window.echoFunction.addToRolePolicy(
      dynamoIndexStatement(tables.conversations, 'byWindowExpiry', ['dynamodb:Query']),
    );
    this.window.echoFunction.addToRolePolicy(dynamoStatement(tables.conversations, ['dynamodb:UpdateItem']));
    this.window.echoFunction.addToRolePolicy(dynamoKms);

    // Outcome watchdog: reads only overdue entries of the sparse byOutcomeDeadline index.
    this.outcomeWatchdog = new ScheduledFunction(this, 'OutcomeWatchdog', {
      ...scheduled,
      handlerName: 'outcome-watchdog',
      serviceName: SERVICE.outcomeWatchdog,
      description: 'Marks sends whose outcome stayed unknown past their deadline as failed (outcome-unknown)',
      every: Duration.minutes(SCHEDULES.outcomeWatchdog.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.outcomeWatchdog.timeoutSeconds),
      environment: {
        MESSAGES_TABLE: tables.messages.tableName,
        EVENT_BUS_NAME: eventBus.eventBusName,
      },
    });
    this.outcomeWatchdog.echoFunction.addToRolePolicy(
      dynamoIndexStatement(tables.messages, 'byOutcomeDeadline', ['dynamodb:Query']),
    );
    this.outcomeWatchdog.echoFunction.addToRolePolicy(dynamoStatement(tables.messages, ['dynamodb:UpdateItem']));
    this.outcomeWatchdog.echoFunction.addToRolePolicy(dynamoKms);

    // Template sync: every template's approval status can change (approved → paused/disabled by
    // WhatsApp), so each run visits every business that has templates, lists its templates, and
    // reads each approval with the credentials of the template's own connection (by key), from
    // that connection's BSP (Twilio per Content SID; Meta and 360dialog one list per connection).
    this.templateSync = new ScheduledFunction(this, 'TemplateSync', {
      ...scheduled,
      handlerName: 'template-sync',
      serviceName: SERVICE.templateSync,
      description: 'Re-syncs the approval status of WhatsApp templates from the BSP',
      every: Duration.minutes(SCHEDULES.templateSync.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.templateSync.timeoutSeconds),
      environment: {
        TEMPLATES_TABLE: tables.templates.tableName,
        CONNECTIONS_TABLE: tables.connections.tableName,
        TWILIO_CONTENT_BASE_URL: SEND_DEFAULTS.twilioContentBaseUrl,
        META_GRAPH_BASE_URL: SEND_DEFAULTS.metaGraphBaseUrl,
        DIALOG360_BASE_URL: SEND_DEFAULTS.dialog360BaseUrl,
        SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
      },
    });
    const templateSync = this.templateSync.echoFunction;
    // Scan on the templates table (its items only, no index), to find the businesses: the hourly
    // sync must read every template anyway, so the scan reads nothing it does not need, and the
    // table holds a few items per business and none per message or conversation. The only other
    // way to enumerate businesses would be a GSI with one constant partition key, which reads the
    // same items. Then Query per business and UpdateItem per changed status.
    templateSync.addToRolePolicy(
      dynamoStatement(tables.templates, ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:UpdateItem']),
    );
    templateSync.addToRolePolicy(dynamoStatement(tables.connections, ['dynamodb:GetItem']));
    templateSync.addToRolePolicy(dynamoKms);
    allowConnectionSecretsRead(templateSync, key, {
      secretNamePrefix: stateful.secretNamePrefix,
      reason:
        "The template sync asks the BSP for the approval status of every business's templates with the " +
        "credentials of that business's connections, which are created at run time by the admin API, so " +
        'no list of secret ARNs exists at deploy time.',
    });

    // Inbound reconciler: closes the gaps the webhook left (Twilio hardly retries a failed webhook)
    // by listing each active connection's recent inbound messages from the BSP and ingesting the
    // missing ones through the webhook's own idempotent path. Shared variables carry the same
    // names and values as the webhook's and the send Lambda's (the local runtime merges them).
    this.reconcile = new ScheduledFunction(this, 'Reconcile', {
      ...scheduled,
      handlerName: 'reconcile',
      serviceName: SERVICE.reconcile,
      description: 'Lists recent inbound WhatsApp messages from the BSP and ingests those the webhook missed',
      every: Duration.minutes(SCHEDULES.reconcile.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.reconcile.timeoutSeconds),
      environment: {
        CONNECTIONS_TABLE: tables.connections.tableName,
        CONVERSATIONS_TABLE: tables.conversations.tableName,
        MESSAGES_TABLE: tables.messages.tableName,
        DEDUPE_TABLE: tables.dedupe.tableName,
        INBOUND_QUEUE_URL: stateful.inboundQueue.queueUrl,
        EVENT_BUS_NAME: eventBus.eventBusName,
        TWILIO_API_BASE_URL: SEND_DEFAULTS.twilioApiBaseUrl,
        SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
        DEDUPE_TTL_DAYS: String(WEBHOOK_DEFAULTS.dedupeTtlDays),
        RECONCILE_LOOKBACK_MINUTES: String(RECONCILE_DEFAULTS.lookbackMinutes),
        RECONCILE_SETTLE_SECONDS: String(RECONCILE_DEFAULTS.settleSeconds),
      },
    });
    const reconcile = this.reconcile.echoFunction;
    // Scan on the connections table (its items only, no index), filtered on status = active and
    // projected to six attributes: every run must visit every active connection, no index lists
    // them all (byBusiness is keyed by business), and the table holds one item per connection and
    // one pointer per business, never one per message. UpdateItem: the throttled lastInboundAt
    // touch after an ingested message, as the webhook does.
    reconcile.addToRolePolicy(dynamoStatement(tables.connections, ['dynamodb:Scan', 'dynamodb:UpdateItem']));
    // Existence first (reads only on a healthy system): BatchGetItem of the dedupe keys. Then, for
    // a missing message only, the ingestion transaction: the same per-table grants as the webhook
    // (TransactWriteItems is authorised per contained Put / Update / ConditionCheck), and GetItem
    // for the replay lookup when the transaction finds the dedupe item after all.
    reconcile.addToRolePolicy(
      dynamoStatement(tables.dedupe, [
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:ConditionCheckItem',
      ]),
    );
    reconcile.addToRolePolicy(dynamoStatement(tables.messages, ['dynamodb:PutItem']));
    reconcile.addToRolePolicy(dynamoStatement(tables.conversations, ['dynamodb:UpdateItem']));
    reconcile.addToRolePolicy(dynamoKms);
    reconcile.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [stateful.inboundQueue.queueArn] }),
    );
    // The scheduled function already holds the SQS producer key actions (for its DLQ): they cover
    // the inbound queue too, through the same kms:ViaService condition.
    allowConnectionSecretsRead(reconcile, key, {
      secretNamePrefix: stateful.secretNamePrefix,
      reason:
        'The reconciler lists the recent inbound messages of every active connection from the BSP with ' +
        "that connection's own credentials, and connections are created at run time by the admin API, " +
        'so no list of secret ARNs exists at deploy time.',
    });
    this.reconcileIngestedAlarm = new cloudwatch.Alarm(this, 'ReconcileIngestedAlarm', {
      alarmDescription:
        'The inbound reconciler ingested WhatsApp messages that the BSP received but never delivered to ' +
        'the webhook (they reached the AI late). Check the webhook errors alarm, API Gateway 5xx and the ' +
        "BSP's webhook error log (Twilio 11200/11217).",
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.reconcileIngested,
        // Powertools adds the service as the one default dimension.
        dimensionsMap: { service: SERVICE.reconcile },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(SCHEDULES.reconcile.everyMinutes),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.reconcileIngestedAlarm, alarmAction);
    // Three runs in a row, so one BSP hiccup stays quiet but a connection whose credentials were
    // revoked (its webhooks fail their signature check too) or a BSP outage does not.
    this.reconcileFailedAlarm = new cloudwatch.Alarm(this, 'ReconcileFailedAlarm', {
      alarmDescription:
        'The inbound reconciler failed to reconcile a connection (or message) in three runs in a row: ' +
        'messages the webhook missed are not being recovered. The reconcile logs name the connection and ' +
        "the BSP's error code (e.g. 20003: the credentials were revoked or rotated outside the admin API).",
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.reconcileFailed,
        dimensionsMap: { service: SERVICE.reconcile },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(SCHEDULES.reconcile.everyMinutes),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    withAction(this.reconcileFailedAlarm, alarmAction);

    // Connection health ("gone quiet"): hourly, a Scan of the connections table projected to six
    // attributes (no index lists connections across businesses; one item per connection, never
    // per message), and at most one UpdateItem per connection per day (its inbound-day history).
    const quietAfterHours = Number(this.node.tryGetContext(CONTEXT_KEYS.quietAfterHours) ?? DEFAULT_QUIET_RULES.quietAfterHours);
    if (!(quietAfterHours > 0)) throw new Error(`context "${CONTEXT_KEYS.quietAfterHours}" must be a positive number of hours`);
    this.connectionHealth = new ScheduledFunction(this, 'ConnectionHealth', {
      ...scheduled,
      handlerName: 'connection-health',
      serviceName: SERVICE.connectionHealth,
      description: 'Reports WhatsApp connections that usually receive messages but have gone quiet',
      every: Duration.minutes(SCHEDULES.connectionHealth.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.connectionHealth.timeoutSeconds),
      environment: {
        CONNECTIONS_TABLE: tables.connections.tableName,
        QUIET_AFTER_HOURS: String(quietAfterHours),
      },
    });
    this.connectionHealth.echoFunction.addToRolePolicy(dynamoStatement(tables.connections, ['dynamodb:Scan', 'dynamodb:UpdateItem']));
    this.connectionHealth.echoFunction.addToRolePolicy(dynamoKms);

    // --- Admin API and settings page.
    this.admin = new AdminFunction(this, 'Admin', {
      tables,
      outboundQueue: stateful.outboundQueue,
      eventBus,
      encryptionKey: key,
      // The same value as the send Lambda's: the local runtime runs both in one environment.
      webhookBaseUrl: this.webhookBaseUrl,
      secretNamePrefix: stateful.secretNamePrefix,
      businessClaim: businessClaim ?? ADMIN_DEFAULTS.businessClaim,
      auditRetentionDays,
      alarmAction,
      ...(metaApp && { metaApp: { appId: metaApp.appId, secret: stateful.metaAppSecret.secret } }),
    });
    // "Connect with Facebook" needs both the app (the code exchange) and its signup configuration (the page).
    const metaSignup = metaApp?.embeddedSignupConfigId
      ? { appId: metaApp.appId, configId: metaApp.embeddedSignupConfigId, sdkUrl: FACEBOOK_SDK_URL, messageOrigins: [...FACEBOOK_MESSAGE_ORIGINS], graphVersion: META_GRAPH_VERSION }
      : undefined;
    // The conversation view shows received photos, voice notes and documents through presigned links.
    stateful.mediaBucket.grantPresign(this.admin.echoFunction, key);

    const userPool = stateful.adminUserPool;
    if (!userPool && !externalJwt) {
      throw new Error('the admin API needs an issuer: give the stateful stack a user pool or pass externalJwt');
    }
    if (userPool && externalJwt) {
      throw new Error('externalJwt is given but the stateful stack also has a user pool: create it with createUserPool: false');
    }

    // Created before the API: the API behaviour needs the API, and the app client's callback URL
    // needs the distribution's domain, so the distribution exists first and gets the API later.
    if (settingsPage ?? true) {
      this.webHosting = new WebHosting(this, 'SettingsSite', {
        authOrigins: userPool ? [userPool.domainUrl] : [],
        facebookSdk: metaSignup !== undefined,
        // The thread shows received photos and plays voice notes from presigned links to the media bucket.
        mediaOrigins: [mediaBucketOrigin()],
        logEncryptionKey: key,
      });
    }
    if (userPool) {
      this.settingsClient = new SettingsPageClient(this, 'SettingsClient', {
        userPool: userPool.userPool,
        callbackUrls: this.webHosting ? [this.webHosting.settingsPageUrl] : [],
      }).client;
    }

    this.adminApi = new AdminApi(this, 'AdminApi', {
      handler: this.admin.function,
      routeKeys: Object.values(ADMIN_ROUTES),
      // Cognito ID tokens: `aud` is the app client id; they carry `custom:business_id`.
      jwt:
        userPool && this.settingsClient
          ? { issuer: userPool.issuerUrl, audience: [this.settingsClient.userPoolClientId] }
          : externalJwt!,
      accessLogEncryptionKey: key,
      alarmAction,
    });
    new CfnOutput(this, 'AdminApiUrl', {
      description: 'Base URL of the admin API (routes under /businesses/{businessId}/whatsapp)',
      value: this.adminApi.url,
    });

    if (this.webHosting) {
      this.webHosting.addApiBehavior(`${ADMIN_PATH_PREFIX}*`, this.adminApi.api);
      const auth: SettingsPageAuth =
        userPool && this.settingsClient
          ? {
              type: 'oidc',
              authorizeUrl: `${userPool.domainUrl}/oauth2/authorize`,
              tokenUrl: `${userPool.domainUrl}/oauth2/token`,
              clientId: this.settingsClient.userPoolClientId,
              scope: 'openid',
              redirectPath: SETTINGS_PAGE_PATH,
            }
          : { type: 'token' };
      this.webHosting.deploySite({
        apiBaseUrl: '',
        businessClaim: businessClaim ?? ADMIN_DEFAULTS.businessClaim,
        auth,
        ...(metaSignup && { metaSignup }),
      });
      new CfnOutput(this, 'SettingsPageUrl', {
        description: 'The WhatsApp settings page (sign in with a user of the admin user pool)',
        value: this.webHosting.settingsPageUrl,
      });
    }
    if (userPool && this.settingsClient) {
      new CfnOutput(this, 'AdminUserPoolId', {
        description: 'Cognito user pool of the admin API: create users with custom:business_id set',
        value: userPool.userPool.userPoolId,
      });
      new CfnOutput(this, 'SettingsClientId', {
        description: "The settings page's Cognito app client id (the audience of the admin API's tokens)",
        value: this.settingsClient.userPoolClientId,
      });
      new CfnOutput(this, 'AdminSignInDomain', {
        description: 'Cognito hosted UI domain of the settings page sign-in',
        value: userPool.domainUrl,
      });
    }

    // --- Operating it: an alarm per failure mode (each linked to its RUNBOOK.md section) and the
    // dashboard. Last, so that every function of the stack exists and gets its alarms.
    const statefulAlarms = stateful.node.findAll().filter((node): node is cloudwatch.Alarm => node instanceof cloudwatch.Alarm);
    this.operationsAlarms = new OperationsAlarms(this, 'OperationsAlarms', {
      webhookApi: this.webhookApi.api,
      lossAlarms: [...statefulAlarms.filter((alarm) => alarm.node.id === 'DeadLetterAlarm'), this.webhookApi.serverErrorAlarm, this.reconcileIngestedAlarm],
      quietAfterHours,
      alarmAction,
    });
    this.dashboard = new OperationsDashboard(this, 'OperationsDashboard', {
      webhookApi: this.webhookApi.api,
      queues: { inbound: stateful.inboundQueue, outbound: stateful.outboundQueue },
      deadLetterQueues: { inbound: stateful.inboundDeadLetterQueue, outbound: stateful.outboundDeadLetterQueue, 'scheduled runs': this.scheduledDeadLetterQueue },
      alarms: [this.operationsAlarms.messagesMayBeLost],
    });
    // The stateful stack's alarms (DLQs) are linked by the same rules; aspects run at synthesis.
    Aspects.of(this).add(new RunbookLinks());
    Aspects.of(stateful).add(new RunbookLinks());
  }
}
