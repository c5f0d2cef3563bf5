import { PROVIDER_PROFILES, PROVIDERS, WEBHOOK_PATH_PREFIX } from '../lambdas/domain/providers';
import { AI_SCALING, SEND_SCALING } from './scaling';
import { METRIC } from '../lambdas/shared/telemetry';

// Names shared with the Lambda code (namespace, metrics, services, routes) live in one module that
// Lambda bundles can import; re-exported here so infrastructure code keeps one import.
export {
  ADMIN_PATH_PREFIX,
  ADMIN_ROUTES,
  DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  SERVICE,
  WEBHOOK_ROUTE_KEYS,
  WEBHOOK_ROUTES,
  type AdminRouteKey,
  type MetricName,
  type ServiceName,
} from '../lambdas/shared/telemetry';

/**
 * Numbers and names that more than one part of the system must agree on.
 *
 * This module deliberately imports nothing but the domain's list of providers (never aws-cdk-lib):
 * Lambda code may import it too, and esbuild would otherwise drag the CDK into a function bundle. Durations are therefore plain
 * seconds; constructs wrap them in `Duration.seconds(...)`.
 */

/** CloudFormation stack names. Stable on purpose: the local runtime and operators look stacks up by name. */
export const STACK_NAMES = {
  /** Tables, key, queues, bus: changes rarely, never replaced. */
  stateful: 'EchoWhatsAppStateful',
  /** Functions and APIs: redeployed freely. */
  stateless: 'EchoWhatsAppStateless',
} as const;

/**
 * Every connection's BSP credentials live in their own secret named
 * `${CONNECTION_SECRET_PREFIX}/connections/${connectionId}`. The stack creates none (the admin API
 * does, per connection); the IAM policies of the readers are scoped to this prefix.
 */
export const CONNECTION_SECRET_PREFIX = 'echo-whatsapp';

/**
 * The name of a connection's credentials secret.
 * @example
 * connectionSecretName('conn_123'); // 'echo-whatsapp/connections/conn_123'
 */
export function connectionSecretName(connectionId: string, prefix: string = CONNECTION_SECRET_PREFIX): string {
  return `${connectionSecretPath(prefix)}${connectionId}`;
}

/** The path under which all connection secrets live, with a trailing slash (used for IAM scoping). */
export function connectionSecretPath(prefix: string = CONNECTION_SECRET_PREFIX): string {
  return `${prefix}/connections/`;
}

/**
 * Timeouts of the queue consumers, in seconds. The queues' visibility timeouts are derived from
 * these (× {@link VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT}), so the consumer Lambdas must use the
 * same numbers: a consumer that outlives its message's visibility lets a second consumer start on
 * the same message, and on a FIFO queue that blocks the whole conversation behind it.
 */
export const CONSUMER_TIMEOUT_SECONDS = {
  /** The AI Lambda reading the inbound queue. */
  inbound: 30,
  /** The send Lambda reading the outbound queue and calling the BSP. */
  outbound: 30,
} as const;

/**
 * AWS advises a queue visibility timeout of at least six times the consuming function's timeout,
 * so that Lambda's own retries on throttling fit inside one visibility period.
 */
export const VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT = 6;

/** Receives before a message moves to its queue's DLQ. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/**
 * Receives before an OUTBOUND record moves to its DLQ: only a safety net for poison records. The
 * send Lambda's retry budget lives on the message record (attempts and a deadline), and a record
 * comes back many times without using it: behind its conversation's retried head, while an unknown
 * outcome is settled, or paced behind its number's rate.
 */
export const OUTBOUND_MAX_RECEIVE_COUNT = 50;

/** The webhook answers the BSP; BSPs time out after ~15 s (Twilio), so we must answer well before. */
export const WEBHOOK_TIMEOUT_SECONDS = 10;

/** Default values of the webhook's tunables, passed to it as environment variables. */
export const WEBHOOK_DEFAULTS = {
  secretsCacheTtlSeconds: 300,
  connectionCacheTtlSeconds: 30,
  dedupeTtlDays: 14,
} as const;

/**
 * How many requests a webhook route receives per inbound message at most: every message we send
 * causes up to three status callbacks (sent, delivered, read). Twilio posts them to their own
 * `/status` route; Cloud API BSPs post them with the messages, so their one POST route carries both.
 * Each route's throttle is the inbound limit times this, so statuses never crowd out messages.
 */
export function webhookRouteLoadFactor(routeKey: string): number {
  const [method, path] = routeKey.split(' ');
  if (method !== 'POST' || !path) return 1;
  if (path.endsWith('/status')) return STATUS_CALLBACKS_PER_MESSAGE;
  // The Meta app-level route (`…/meta`, no connection id) carries messages and statuses like a connection's.
  const provider = PROVIDERS.find((candidate) => path.startsWith(`${WEBHOOK_PATH_PREFIX}/${candidate}/`) || path === `${WEBHOOK_PATH_PREFIX}/${candidate}`);
  return provider && !PROVIDER_PROFILES[provider].routes.statusPath ? 1 + STATUS_CALLBACKS_PER_MESSAGE : 1;
}

/** sent, delivered, read. */
const STATUS_CALLBACKS_PER_MESSAGE = 3;

/** Context keys read by `createApp` (pass with `cdk synth -c key=value` or in `cdk.json`). */
export const CONTEXT_KEYS = {
  /**
   * Public base URL of the webhook when a custom domain or base path fronts API Gateway. Also the
   * base of the status callback URLs the send Lambda gives the BSP (`WEBHOOK_BASE_URL`).
   */
  publicBaseUrl: 'publicBaseUrl',
  /** Overrides {@link CONNECTION_SECRET_PREFIX}. */
  secretNamePrefix: 'secretNamePrefix',
  /** `true` skips esbuild bundling (templates only); the CLI forbids setting `aws:cdk:bundling-stacks` itself. */
  skipBundling: 'skipBundling',
  /** Who answers inbound messages: one of {@link RESPONDERS} (`RESPONDER`); default {@link AI_DEFAULTS}.responder. */
  responder: 'responder',
  /** The Echo AI endpoint the `http` responder POSTs to (`AI_ENDPOINT_URL`); required with `responder=http`. */
  aiEndpointUrl: 'aiEndpointUrl',
  /** How long before a 24-hour window closes the conversation is flagged `expiring` (`WINDOW_LEAD_MINUTES`). */
  windowLeadMinutes: 'windowLeadMinutes',
  /**
   * Issuer URL of an external OIDC provider (Echo's own auth) whose tokens the admin API accepts,
   * e.g. `https://auth.echo.example`. Requires {@link CONTEXT_KEYS.adminJwtAudience}. When set, the
   * stacks create no Cognito user pool and the settings page expects a token (`auth.type: 'token'`).
   */
  adminJwtIssuer: 'adminJwtIssuer',
  /** Audience(s) the external issuer's tokens carry (`aud`, or `client_id`); comma-separated. */
  adminJwtAudience: 'adminJwtAudience',
  /** Name of the token claim that names the business (`BUSINESS_CLAIM`); default {@link ADMIN_DEFAULTS}.businessClaim. */
  adminBusinessClaim: 'adminBusinessClaim',
  /** Days an audit record is kept before DynamoDB's TTL deletes it (`AUDIT_RETENTION_DAYS`); default 400. */
  auditRetentionDays: 'auditRetentionDays',
  /** Days every archived webhook request and BSP exchange is kept in the payload archive (S3 lifecycle); default 400. */
  archiveRetentionDays: 'archiveRetentionDays',
  /** Days a mirrored inbound media file is kept in the media bucket (S3 lifecycle); default 90. */
  mediaRetentionDays: 'mediaRetentionDays',
  /** `false` deploys no settings page (S3 + CloudFront), e.g. when Echo's own app hosts it. Default `true`. */
  settingsPage: 'settingsPage',
  /**
   * Prefix of the Cognito hosted UI domain (`https://<prefix>.auth.<region>.amazoncognito.com`),
   * unique per region. Default: `echo-whatsapp-` followed by the stateful stack's id.
   */
  cognitoDomainPrefix: 'cognitoDomainPrefix',
  /**
   * Base of the runbook links in every alarm's description (`<base>#<section>`), e.g.
   * `https://github.com/acme/echo-whatsapp/blob/main/RUNBOOK.md`. Default: `RUNBOOK.md` (relative).
   */
  runbookBaseUrl: 'runbookBaseUrl',
  /** Hours without an inbound message after which a usually busy connection is reported quiet (`QUIET_AFTER_HOURS`); default 6. */
  quietAfterHours: 'quietAfterHours',
  /**
   * Echo's own Meta app id (Tech Provider): with it the admin API exchanges Embedded Signup codes
   * (`META_APP_ID`) with the app secret of the `meta-app` secret. Digits.
   */
  metaAppId: 'metaAppId',
  /**
   * The app's Facebook Login for Business configuration id for Embedded Signup: with `metaAppId`,
   * the settings page offers "Connect with Facebook" (its CSP then admits Facebook's SDK). Digits.
   */
  metaEmbeddedSignupConfigId: 'metaEmbeddedSignupConfigId',
} as const;

/**
 * Responders of the AI Lambda: `http` POSTs to the Echo AI endpoint, `none` only publishes the
 * event (another Echo service replies through the outbound queue), `demo` answers by itself (local use).
 */
export const RESPONDERS = ['http', 'none', 'demo'] as const;
export type Responder = (typeof RESPONDERS)[number];

/** Default values of the AI Lambda's tunables, passed to it as environment variables. */
export const AI_DEFAULTS = {
  /** In AWS nothing answers customers unless configured to. */
  responder: 'none',
  endpointTimeoutMs: 8000,
  /** Messages of the conversation sent to the responder as context. */
  historyLimit: 20,
  /**
   * Concurrent AI invocations at most (the event source mapping's maximum concurrency): a burst of
   * customers must not turn into a burst that the Echo AI endpoint cannot take, nor eat the
   * account's concurrency (see the budget in lib/scaling.ts).
   */
  maxConcurrency: AI_SCALING.maxConcurrency,
} as const satisfies { responder: Responder; endpointTimeoutMs: number; historyLimit: number; maxConcurrency: number };

/** Default values of the send Lambda's tunables, passed to it as environment variables. */
export const SEND_DEFAULTS = {
  twilioApiBaseUrl: 'https://api.twilio.com',
  twilioContentBaseUrl: 'https://content.twilio.com',
  /** Meta's Graph API; the version is pinned in code (`META_GRAPH_VERSION`), not here. */
  metaGraphBaseUrl: 'https://graph.facebook.com',
  dialog360BaseUrl: 'https://waba-v2.360dialog.io',
  secretsCacheTtlSeconds: 300,
  /** Per BSP request; well inside {@link CONSUMER_TIMEOUT_SECONDS}.outbound so a batch can finish. */
  sendTimeoutMs: 10_000,
  /**
   * Concurrent send invocations at most (the event source mapping's maximum concurrency): its share
   * of the account's concurrency (lib/scaling.ts), enough for ≥ 1,000 msg/s across businesses. The
   * BSPs' rates are kept per number by the send Lambda's pacing, not by this cap.
   */
  maxConcurrency: SEND_SCALING.maxConcurrency,
} as const;

/** Default lead time of the window-expiry flagging, in minutes. */
export const DEFAULT_WINDOW_LEAD_MINUTES = 60;

/**
 * The scheduled functions: how often each runs (minutes) and its timeout (seconds). A run that
 * fails is superseded by the next one, so none of them needs to be retried for longer than its period.
 */
export const SCHEDULES = {
  /** Flags conversations whose 24-hour window closes soon, and closed ones. */
  window: { everyMinutes: 5, timeoutSeconds: 60 },
  /** Marks sends without any status callback after their deadline `failed` (`outcome-unknown`). */
  outcomeWatchdog: { everyMinutes: 5, timeoutSeconds: 60 },
  /** Re-syncs template approval statuses from the BSP. */
  templateSync: { everyMinutes: 60, timeoutSeconds: 300 },
  /** Lists recent inbound messages from the BSP and ingests those the webhook missed. */
  reconcile: { everyMinutes: 10, timeoutSeconds: 120 },
  /** Records each connection's inbound days and reports the ones that have gone quiet. */
  connectionHealth: { everyMinutes: 60, timeoutSeconds: 120 },
} as const;

/**
 * Default values of the inbound reconciler's tunables, passed to it as environment variables. The
 * look-back spans three runs, so a message is checked again if one run fails; the settle time
 * leaves the newest messages to the webhook, which may be storing them right now.
 */
export const RECONCILE_DEFAULTS = {
  lookbackMinutes: 30,
  settleSeconds: 120,
} as const;

/**
 * A route key's method and path.
 * @example
 * parseRouteKey(ADMIN_ROUTES.getConnection); // { method: 'GET', path: '/businesses/{businessId}/whatsapp/connection' }
 */
export function parseRouteKey(routeKey: string): { method: string; path: string } {
  const [method, path] = routeKey.split(' ');
  if (!method || !path) throw new Error(`not a route key: ${routeKey}`);
  return { method, path };
}

/** Default values of the admin API's tunables, passed to the admin Lambda as environment variables. */
export const ADMIN_DEFAULTS = {
  /** The token claim naming the business a user acts for: the Cognito custom attribute `business_id`. */
  businessClaim: 'custom:business_id',
  /** How long audit records are kept (DynamoDB TTL on `expiresAt`). */
  auditRetentionDays: 400,
  /** `RecoveryWindowInDays` of `DeleteSecret` when a connection is deleted (Secrets Manager allows 7..30). */
  secretRecoveryWindowDays: 7,
  /**
   * Per-route throttling. Humans click through a settings page: far below the webhook's limits, so
   * a leaked token cannot hammer the BSP (connection tests) or the outbound queue.
   */
  throttle: { rateLimit: 10, burstLimit: 20 },
  /** Handler timeout: a connection test makes up to three BSP calls of a few seconds each. */
  timeoutSeconds: 29,
} as const;

/** Custom metrics with an alarm on them (kept for compatibility; new code uses {@link METRIC}). */
export const ALARMED_METRICS = {
  sendFailed: METRIC.sendFailed,
  reconcileIngested: METRIC.reconcileIngested,
  reconcileFailed: METRIC.reconcileFailed,
} as const;
