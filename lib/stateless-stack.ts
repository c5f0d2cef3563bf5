import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  ADMIN_DEFAULTS,
  ADMIN_PATH_PREFIX,
  ADMIN_ROUTES,
  DEFAULT_WINDOW_LEAD_MINUTES,
  SCHEDULES,
  SEND_DEFAULTS,
  WEBHOOK_ROUTES,
  type Responder,
} from './config';
import { AdminApi, type AdminJwtSettings } from './constructs/admin-api';
import { AdminFunction } from './constructs/admin-function';
import { SettingsPageClient } from './constructs/admin-user-pool';
import { AiFunction } from './constructs/ai-function';
import { withAction } from './constructs/alarms';
import {
  allowConnectionSecretsRead,
  DYNAMODB_KMS_ACTIONS,
  dynamoIndexStatement,
  dynamoStatement,
  kmsViaService,
} from './constructs/policy';
import { ScheduledFunction } from './constructs/scheduled-function';
import { SEND_SERVICE_NAME, SendFunction } from './constructs/send-function';
import { WebhookApi, type WebhookThrottle } from './constructs/webhook-api';
import { SETTINGS_PAGE_PATH, WebHosting, type SettingsPageAuth } from './constructs/web-hosting';
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
   * @default { rateLimit: 200, burstLimit: 400 }
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
}

/** `POWERTOOLS_SERVICE_NAME` of the outcome watchdog, which emits `SendFailed` too. */
const OUTCOME_WATCHDOG_SERVICE_NAME = 'whatsapp-outcome-watchdog';

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
  /** The inbound queue's consumer, which hands messages to the responder. */
  public readonly ai: AiFunction;
  /** Every 5 minutes: flags expiring and closed 24-hour windows. */
  public readonly window: ScheduledFunction;
  /** Every 5 minutes: fails sends whose outcome stayed unknown past their deadline. */
  public readonly outcomeWatchdog: ScheduledFunction;
  /** Hourly: re-syncs template approval statuses. */
  public readonly templateSync: ScheduledFunction;
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
      publicBaseUrl,
      alarmAction,
    });

    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      handler: this.webhook.function,
      postPaths: [WEBHOOK_ROUTES.twilioInbound, WEBHOOK_ROUTES.twilioStatus, WEBHOOK_ROUTES.twilioFallback],
      throttle: webhookThrottle,
      accessLogEncryptionKey: key,
      alarmAction,
    });

    new CfnOutput(this, 'WebhookBaseUrl', {
      description: 'Base URL of the BSP webhooks; Twilio: <url>webhook/whatsapp/twilio/<connectionId>',
      value: this.webhookApi.url,
    });

    // The `$default` stage has no path prefix, so the API endpoint is the base of every route.
    this.webhookBaseUrl = publicBaseUrl?.replace(/\/+$/, '') ?? this.webhookApi.api.apiEndpoint;

    // --- Outbound: the send Lambda on the outbound FIFO queue.
    this.send = new SendFunction(this, 'Send', {
      tables,
      outboundQueue: stateful.outboundQueue,
      maxReceiveCount: stateful.maxReceiveCount,
      eventBus,
      encryptionKey: key,
      webhookBaseUrl: this.webhookBaseUrl,
      secretNamePrefix: stateful.secretNamePrefix,
      // The watchdog ends sends `failed` too (outcome-unknown): one alarm over both.
      sendFailedServices: [SEND_SERVICE_NAME, OUTCOME_WATCHDOG_SERVICE_NAME],
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
      alarmAction,
    });

    // --- Scheduled jobs. One dead-letter queue for all three: it holds schedule events (no
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
        'A scheduled job (window expiry, outcome watchdog, template sync) failed all its attempts; ' +
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
    const putEvents = new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBus.eventBusArn] });
    const dynamoKms = kmsViaService(key, this, 'dynamodb', DYNAMODB_KMS_ACTIONS);

    // Window expiry: reads one expiry bucket at a time through the GSI (never a scan), so its cost
    // follows the conversations that expire, not all conversations.
    this.window = new ScheduledFunction(this, 'Window', {
      ...scheduled,
      handlerName: 'window',
      serviceName: 'whatsapp-window',
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
    this.window.echoFunction.addToRolePolicy(putEvents);

    // Outcome watchdog: reads only overdue entries of the sparse byOutcomeDeadline index.
    this.outcomeWatchdog = new ScheduledFunction(this, 'OutcomeWatchdog', {
      ...scheduled,
      handlerName: 'outcome-watchdog',
      serviceName: OUTCOME_WATCHDOG_SERVICE_NAME,
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
    this.outcomeWatchdog.echoFunction.addToRolePolicy(putEvents);

    // Template sync: every template's approval status can change (approved → paused/disabled by
    // WhatsApp), so each run visits every business that has templates, lists its templates, and
    // reads each approval with the credentials of the template's own connection (by key).
    this.templateSync = new ScheduledFunction(this, 'TemplateSync', {
      ...scheduled,
      handlerName: 'template-sync',
      serviceName: 'whatsapp-template-sync',
      description: 'Re-syncs the approval status of WhatsApp templates from the BSP',
      every: Duration.minutes(SCHEDULES.templateSync.everyMinutes),
      timeout: Duration.seconds(SCHEDULES.templateSync.timeoutSeconds),
      environment: {
        TEMPLATES_TABLE: tables.templates.tableName,
        CONNECTIONS_TABLE: tables.connections.tableName,
        TWILIO_CONTENT_BASE_URL: SEND_DEFAULTS.twilioContentBaseUrl,
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
    });

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
  }
}
