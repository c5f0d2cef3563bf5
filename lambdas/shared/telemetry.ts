import { META_APP_WEBHOOK_PATH, PROVIDER_PROFILES, PROVIDERS, WEBHOOK_PATH_PREFIX, type ProviderName } from '../domain/providers';

/**
 * The names operators and alarms depend on: the metric namespace, every metric name, the
 * dimensions, each function's service name, and the API routes. The Lambda code that emits a metric
 * and the CDK code that alarms on it or draws it import the same constant, so a renamed metric
 * cannot leave an alarm watching nothing.
 *
 * Imports nothing but the domain's provider list: Lambda bundles include this module, so it must
 * never pull in aws-cdk-lib (`lib/config.ts` re-exports from here, not the other way round).
 */

/** Namespace of every custom metric (Powertools EMF, `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'EchoWhatsApp';

/**
 * Metric dimensions. Powertools adds `service` to every metric. `provider` is added as a second,
 * independent dimension set where a per-BSP view matters (the webhook's metrics): the metric is
 * then published both at `{service}` and at `{service, provider}`. Never a business, connection
 * or conversation id: every distinct value is a separately billed custom metric.
 */
export const DIMENSION = {
  service: 'service',
  provider: 'provider',
} as const;

/**
 * `POWERTOOLS_SERVICE_NAME` of each function: the `service` field of its log lines and the
 * `service` dimension of its metrics. A new function adds one line.
 */
export const SERVICE = {
  webhook: 'whatsapp-webhook',
  send: 'whatsapp-send',
  ai: 'whatsapp-ai',
  admin: 'whatsapp-admin',
  window: 'whatsapp-window',
  outcomeWatchdog: 'whatsapp-outcome-watchdog',
  templateSync: 'whatsapp-template-sync',
  reconcile: 'whatsapp-reconcile',
  connectionHealth: 'whatsapp-connection-health',
  media: 'whatsapp-media',
} as const;
export type ServiceName = (typeof SERVICE)[keyof typeof SERVICE];

/**
 * Every custom metric name (unit Count unless noted). A new metric adds one line here and is
 * emitted as `metrics.addMetric(METRIC.x, …)`; `RUNBOOK.md` and the dashboard refer to these names.
 */
export const METRIC = {
  // --- Webhook (service whatsapp-webhook; also per provider).
  /** Time from the request reaching the handler to its answer, in milliseconds (per provider). */
  webhookLatency: 'WebhookLatency',
  webhookVerified: 'WebhookVerified',
  webhookEventsUnstored: 'WebhookEventsUnstored',
  webhookOtherEvent: 'WebhookOtherEvent',
  /** Answered 503: nothing stored, the BSP must retry. */
  webhookFailed: 'WebhookFailed',
  rejectedTooLarge: 'RejectedTooLarge',
  rejectedMalformed: 'RejectedMalformed',
  rejectedForbidden: 'RejectedForbidden',
  inboundStored: 'InboundStored',
  inboundDuplicate: 'InboundDuplicate',
  /**
   * Meta app-level webhook: a change for a number (or WABA) no active connection holds. Acknowledged
   * (Meta would retry a 5xx for a week) and counted; a steady count means a business left without
   * unsubscribing, or a connection was deleted while Meta still sends.
   */
  appWebhookUnknownNumber: 'AppWebhookUnknownNumber',
  /** Coexistence: a message the owner sent from the WhatsApp Business app (`smb_message_echoes`), stored. */
  ownerMessageStored: 'OwnerMessageStored',
  /** Coexistence: chat-history messages imported (`history`), new ones only. */
  historyMessagesImported: 'HistoryMessagesImported',
  /** Coexistence: the owner declined to share the chat history. */
  historyDeclined: 'HistoryDeclined',
  /** Coexistence: conversation names set from the owner's address book (`smb_app_state_sync`). */
  contactNamesSynced: 'ContactNamesSynced',
  /** Meta removed us from a business's WABA (`PARTNER_REMOVED`): the connection was disabled. */
  connectionPartnerRemoved: 'ConnectionPartnerRemoved',
  /** The AI was paused for a conversation because its owner replied (echo or settings page). */
  handoffPaused: 'HandoffPaused',
  /** A delivery through Twilio's fallback URL: the primary webhook failed and this one healed it. */
  inboundViaFallback: 'InboundViaFallback',
  statusApplied: 'StatusApplied',
  statusStale: 'StatusStale',
  statusUnknown: 'StatusUnknown',
  statusUnaddressed: 'StatusUnaddressed',
  statusFallbackEnqueued: 'StatusFallbackEnqueued',
  /**
   * A sent message reached `delivered` (or `read` before any `delivered`) for the first time: the
   * numerator of the delivery success rate (per provider).
   */
  deliveryConfirmed: 'DeliveryConfirmed',
  /** A sent message was reported `failed`/`undelivered` by the BSP (per provider). */
  deliveryFailed: 'DeliveryFailed',

  // --- Send (service whatsapp-send).
  sendAccepted: 'SendAccepted',
  /**
   * A message ended `failed` (permanent error, retries exhausted, outcome never settled, or a
   * failed status with no fallback left). Emitted by send, outcome watchdog and webhook.
   */
  sendFailed: 'SendFailed',
  sendInvalid: 'SendInvalid',
  sendDuplicate: 'SendDuplicate',
  sendInFlight: 'SendInFlight',
  /**
   * A send whose outcome is unknown (an answer lost after the request left) is not settled yet: its
   * record waits for a status, the BSP's list or its deadline. Counted at each check.
   */
  sendOutcomeUnknown: 'SendOutcomeUnknown',
  /** An unknown outcome was settled as accepted: by a status that carried our key, or the BSP's list. */
  sendOutcomeResolved: 'SendOutcomeResolved',
  /** An unknown outcome that the BSP's list proved unsent was sent again. */
  sendResentAfterLookup: 'SendResentAfterLookup',
  sendRetried: 'SendRetried',
  sendFallback: 'SendFallback',
  sendErrored: 'SendErrored',
  sendSkippedBehindFailure: 'SendSkippedBehindFailure',
  contentCacheGetFailed: 'ContentCacheGetFailed',
  contentCachePutFailed: 'ContentCachePutFailed',
  /** The BSP refused a connection's credentials (Twilio 20003, Meta 190, 360dialog 401); emitted by send and admin. */
  connectionCredentialsRejected: 'ConnectionCredentialsRejected',
  /** Marking a connection `needs attention` failed (the send itself is unaffected). */
  connectionAttentionMarkFailed: 'ConnectionAttentionMarkFailed',

  // --- Outcome watchdog.
  outcomeOverdue: 'OutcomeOverdue',
  outcomeExpired: 'OutcomeExpired',

  // --- Any function that publishes to the bus.
  eventPublishFailed: 'EventPublishFailed',

  // --- AI.
  aiRepliesEnqueued: 'AiRepliesEnqueued',
  aiNumberedOptionResolved: 'AiNumberedOptionResolved',
  aiReplyAbandoned: 'AiReplyAbandoned',
  aiRetry: 'AiRetry',
  aiReadReceiptSent: 'AiReadReceiptSent',
  aiReadReceiptFailed: 'AiReadReceiptFailed',
  aiInvalidMessage: 'AiInvalidMessage',
  /** An inbound message of a conversation the owner took over (hand-off): stored and published, not answered. */
  aiSkippedPaused: 'AiSkippedPaused',

  // --- Admin.
  adminSuccess: 'AdminSuccess',
  adminClientError: 'AdminClientError',
  adminServerError: 'AdminServerError',
  auditWriteFailed: 'AuditWriteFailed',
  connectionCleanupFailed: 'ConnectionCleanupFailed',
  connectionSetupFailed: 'ConnectionSetupFailed',
  secretDeletionFailed: 'SecretDeletionFailed',

  // --- Window expiry.
  windowsExpiring: 'WindowsExpiring',
  windowsClosed: 'WindowsClosed',
  windowRunFailed: 'WindowRunFailed',
  windowEventPublishFailed: 'WindowEventPublishFailed',

  // --- Template sync.
  templatesChecked: 'TemplatesChecked',
  templatesChanged: 'TemplatesChanged',
  templateSyncFailed: 'TemplateSyncFailed',

  // --- Inbound reconciler.
  reconcileListed: 'ReconcileListed',
  /** Inbound messages the webhook never got, ingested late. Must stay 0. */
  reconcileIngested: 'ReconcileIngested',
  reconcileFailed: 'ReconcileFailed',
  reconcileIncomplete: 'ReconcileIncomplete',

  // --- Connection health (hourly).
  /** Active connections that usually receive messages but received none for `quietAfterHours`. */
  connectionsGoneQuiet: 'ConnectionsGoneQuiet',
  connectionsChecked: 'ConnectionsChecked',

  // --- Payload archive (S3).
  archiveWritten: 'ArchiveWritten',
  archiveWriteFailed: 'ArchiveWriteFailed',

  // --- Inbound media mirror (service whatsapp-media; per provider).
  /** A media item copied into the media bucket. */
  mediaStored: 'MediaStored',
  /** Bytes copied (unit Bytes). */
  mediaBytes: 'MediaBytes',
  mediaTooLarge: 'MediaTooLarge',
  /** Refused: URL, host or address not allowed, type not matching the bytes, checksum mismatch. */
  mediaRefused: 'MediaRefused',
  /** The BSP could not serve the file and the attempts ran out (or it said it never will). */
  mediaFailed: 'MediaFailed',
  /** A job put back with a backoff (the BSP busy, a fresh Twilio 404). */
  mediaRetry: 'MediaRetry',
  /** A job put back because the connection's hourly failure breaker is open. */
  mediaCircuitOpen: 'MediaCircuitOpen',
  mediaInvalidJob: 'MediaInvalidJob',
  /** AI Lambda: a message whose media was still pending when it gave up waiting (passed without links). */
  aiMediaPending: 'AiMediaPending',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

// --- Routes.

export { META_APP_WEBHOOK_PATH, WEBHOOK_PATH_PREFIX, webhookPath, webhookRouteOf } from '../domain/providers';

/** A webhook route's path in API Gateway syntax. */
function webhookRoutePath(provider: ProviderName, route: 'status' | 'fallback' | 'inbound' = 'inbound'): string {
  const base = `${WEBHOOK_PATH_PREFIX}/${provider}/{connectionId}`;
  return route === 'inbound' ? base : `${base}/${route}`;
}

/** API paths the BSPs call. `{connectionId}` tells the webhook whose secret to authenticate with. */
export const WEBHOOK_ROUTES = {
  twilioInbound: webhookRoutePath('twilio'),
  twilioStatus: webhookRoutePath('twilio', 'status'),
  /**
   * Twilio's "fallback URL", called when the primary webhook failed: the same inbound handling
   * (the webhook treats every path that does not end in `/status` as an inbound message).
   */
  twilioFallback: webhookRoutePath('twilio', 'fallback'),
  /** Meta's callback URL: `GET` for the verification handshake, `POST` for messages and statuses. */
  meta: webhookRoutePath('meta'),
  /** 360dialog's webhook URL, registered through its API with our secret header. */
  dialog360: webhookRoutePath('360dialog'),
  /**
   * The callback URL of Echo's own Meta app (Embedded Signup): every business onboarded through it,
   * routed by `phone_number_id`. `GET` handshake and `POST`, like a connection's Meta route.
   */
  metaApp: META_APP_WEBHOOK_PATH,
} as const;


/** The webhook route keys (`METHOD /path`) one provider's BSP calls, derived from its profile. */
export function webhookRouteKeysOf(provider: ProviderName): string[] {
  const { routes } = PROVIDER_PROFILES[provider];
  return [
    `POST ${webhookRoutePath(provider)}`,
    ...(routes.handshake ? [`GET ${webhookRoutePath(provider)}`] : []),
    ...(routes.statusPath ? [`POST ${webhookRoutePath(provider, 'status')}`] : []),
    ...(routes.fallbackPath ? [`POST ${webhookRoutePath(provider, 'fallback')}`] : []),
  ];
}

/** The app-level Meta webhook's route keys (not per provider: one route for every business onboarded through our app). */
export const META_APP_WEBHOOK_ROUTE_KEYS: readonly string[] = [`GET ${META_APP_WEBHOOK_PATH}`, `POST ${META_APP_WEBHOOK_PATH}`];

/**
 * Every webhook route key (`METHOD /path`), derived from the one list of providers: what each BSP
 * calls follows from its profile (a handshake, a separate status path, a fallback path).
 */
export const WEBHOOK_ROUTE_KEYS: readonly string[] = [...PROVIDERS.flatMap(webhookRouteKeysOf), ...META_APP_WEBHOOK_ROUTE_KEYS];

/** The path prefix of every admin route (the settings page's CloudFront behaviour forwards it to the API). */
export const ADMIN_PATH_PREFIX = '/businesses/';

const ADMIN_BASE = '/businesses/{businessId}/whatsapp';

/**
 * The admin API's routes (API Gateway HTTP API route keys, `METHOD /path`). The admin Lambda
 * dispatches on `event.routeKey`, which carries exactly these strings.
 */
export const ADMIN_ROUTES = {
  getConnection: `GET ${ADMIN_BASE}/connection`,
  putConnection: `PUT ${ADMIN_BASE}/connection`,
  deleteConnection: `DELETE ${ADMIN_BASE}/connection`,
  testConnection: `POST ${ADMIN_BASE}/connection/test`,
  listConversations: `GET ${ADMIN_BASE}/conversations`,
  listMessages: `GET ${ADMIN_BASE}/conversations/{conversationId}/messages`,
  sendMessage: `POST ${ADMIN_BASE}/conversations/{conversationId}/messages`,
  listTemplates: `GET ${ADMIN_BASE}/templates`,
  createReengagementTemplate: `POST ${ADMIN_BASE}/templates/reengagement`,
  /** "Connect with Facebook": the Embedded Signup code exchanged and the Meta connection made by the server. */
  embeddedSignup: `POST ${ADMIN_BASE}/connection/embedded-signup`,
  /** Hand-off: the AI steps back from one conversation (for the business's hours, or as asked). */
  pauseConversation: `POST ${ADMIN_BASE}/conversations/{conversationId}/pause`,
  /** Hand-off: the AI answers the conversation again. */
  resumeConversation: `POST ${ADMIN_BASE}/conversations/{conversationId}/resume`,
  /** Hand-off: how long the AI steps back after the owner replied (per business). */
  putHandoff: `PUT ${ADMIN_BASE}/connection/handoff`,
} as const;
export type AdminRouteKey = (typeof ADMIN_ROUTES)[keyof typeof ADMIN_ROUTES];
