import * as z from 'zod';

/**
 * The one list of BSPs. The provider name type, every zod enum of it, the webhook routes and the
 * connection record's provider field all derive from here, so adding a BSP starts with one line.
 *
 * Deliberately free of any provider code (domain code imports it; providers import the domain).
 */
export const PROVIDERS = ['twilio', 'meta', '360dialog'] as const;

/** Which BSP a connection uses. */
export type ProviderName = (typeof PROVIDERS)[number];

/** `provider` as every contract, table item and route validates it. */
export const providerNameSchema = z.enum(PROVIDERS);

export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

/** Which webhook routes a BSP calls, under `/webhook/whatsapp/{provider}/{connectionId}`. */
export interface ProviderWebhookRoutes {
  /** `GET` on the inbound path: a verification handshake (Meta's `hub.challenge`). */
  handshake: boolean;
  /** A separate `…/status` path for delivery statuses (Twilio's StatusCallback); Cloud API shapes post statuses to the inbound path. */
  statusPath: boolean;
  /** A `…/fallback` path the BSP calls when the primary failed (Twilio's Fallback URL). */
  fallbackPath: boolean;
}

/**
 * Per-provider facts that more than one part of the system must agree on (infrastructure, webhook,
 * admin API, local runtime). Field names and payload shapes stay in each provider's own folder.
 */
export const PROVIDER_PROFILES: Readonly<
  Record<
    ProviderName,
    {
      label: string;
      routes: ProviderWebhookRoutes;
      maxWebhookBodyBytes: number;
      sharedNumbers?: readonly string[];
      /** Messages per second one number may send through this BSP (a number in coexistence: {@link COEXISTENCE_SEND_RATE}). */
      sendRatePerSecond: number;
    }
  >
> = {
  twilio: {
    label: 'Twilio',
    // A Twilio WhatsApp sender is a Cloud API number underneath: the same 80 mps per number.
    sendRatePerSecond: 80,
    routes: { handshake: false, statusPath: true, fallbackPath: true },
    // Real Twilio webhooks are a few KB; far larger bodies are refused before any parsing.
    maxWebhookBodyBytes: 64 * 1024,
    // The WhatsApp sandbox: one number that every Twilio account tests with (TWILIO.md).
    sharedNumbers: ['+14155238886'],
  },
  meta: {
    label: 'Meta WhatsApp Cloud API',
    // "Up to 80 messages per second (mps) by default" per registered number (CLOUD_API.md §5).
    sendRatePerSecond: 80,
    routes: { handshake: true, statusPath: false, fallbackPath: false },
    // One Meta POST batches up to 1,000 updates and may be up to 3 MB (CLOUD_API.md §11).
    maxWebhookBodyBytes: 3 * 1024 * 1024,
  },
  '360dialog': {
    label: '360dialog',
    sendRatePerSecond: 80,
    routes: { handshake: false, statusPath: false, fallbackPath: false },
    maxWebhookBodyBytes: 3 * 1024 * 1024,
  },
};

/** A number that is also on the WhatsApp Business app (Meta's coexistence) sends at most this many messages per second. */
export const COEXISTENCE_SEND_RATE = 20;

/**
 * How many messages per second a connection's number may send.
 * @example sendRateOf({ provider: 'meta', coexistence: true }) // 20
 */
export function sendRateOf(connection: { provider: ProviderName; coexistence?: boolean }): number {
  return connection.coexistence ? COEXISTENCE_SEND_RATE : PROVIDER_PROFILES[connection.provider].sendRatePerSecond;
}

/**
 * A number the BSP shares between all its accounts (Twilio's WhatsApp sandbox): no business owns
 * it, so it is never claimed for one (one active connection per number holds for every other).
 * @example isSharedNumber('twilio', '+14155238886') // true
 */
export function isSharedNumber(provider: ProviderName, providerNumberId: string): boolean {
  return PROVIDER_PROFILES[provider].sharedNumbers?.includes(providerNumberId) ?? false;
}

/** The path prefix of every BSP webhook. */
export const WEBHOOK_PATH_PREFIX = '/webhook/whatsapp';

/**
 * The app-level webhook of Echo's own Meta app (Embedded Signup): one callback URL for every
 * business onboarded through the app, routed by `phone_number_id` (no connection id in the path).
 */
export const META_APP_WEBHOOK_PATH = `${WEBHOOK_PATH_PREFIX}/meta`;

/**
 * True for the app-level Meta webhook path (with or without a stage or base-path prefix).
 * @example isMetaAppWebhookPath('/prod/webhook/whatsapp/meta') // true
 */
export function isMetaAppWebhookPath(rawPath: string): boolean {
  return /\/webhook\/whatsapp\/meta\/*$/.test(rawPath);
}

/** The longest hand-off pause a business may configure, in hours (a week). */
export const HANDOFF_MAX_PAUSE_HOURS = 168;

/**
 * The webhook path of a provider's connection, as the BSP is told to call it.
 * @example webhookPath('meta', 'cn_01') // '/webhook/whatsapp/meta/cn_01'
 */
export function webhookPath(provider: ProviderName, connectionId: string, route: 'inbound' | 'status' | 'fallback' = 'inbound'): string {
  const base = `${WEBHOOK_PATH_PREFIX}/${provider}/${encodeURIComponent(connectionId)}`;
  return route === 'inbound' ? base : `${base}/${route}`;
}

/**
 * Reads the provider and route from a webhook path (with or without a stage or base-path prefix).
 * @example webhookRouteOf('/prod/webhook/whatsapp/twilio/cn_1/status') // { provider: 'twilio', route: 'status' }
 */
export function webhookRouteOf(rawPath: string): { provider: ProviderName; route: 'inbound' | 'status' | 'fallback' } | undefined {
  const match = /\/webhook\/whatsapp\/([a-z0-9]+)\/[^/]+(\/status|\/fallback)?\/*$/.exec(rawPath);
  if (!match || !isProviderName(match[1])) return undefined;
  const route = match[2] === '/status' ? 'status' : match[2] === '/fallback' ? 'fallback' : 'inbound';
  const profile = PROVIDER_PROFILES[match[1]];
  if ((route === 'status' && !profile.routes.statusPath) || (route === 'fallback' && !profile.routes.fallbackPath)) return undefined;
  return { provider: match[1], route };
}

/**
 * The attributes of a connection item that the webhook, send, AI and scheduled Lambdas read. The
 * admin API writes more (see `StoredConnection`); readers ignore what they do not know.
 */
export const connectionRecordSchema = z.object({
  connectionId: z.string().min(1),
  businessId: z.string().min(1),
  provider: providerNameSchema,
  status: z.enum(['active', 'disabled']),
  /**
   * E.164. Empty for a Meta connection saved without its number, until the connection test reads
   * it from Graph: Meta addresses by `providerNumberId`, so its webhook works meanwhile.
   */
  displayNumber: z.string().default(''),
  /** What the BSP identifies the number by: Meta's `phone_number_id`; the E.164 number elsewhere. */
  providerNumberId: z.string().min(1).optional(),
  /** The BSP account the number belongs to: Twilio's Account SID, Meta's WABA id. */
  accountSid: z.string().min(1).optional(),
  providerAccountId: z.string().min(1).optional(),
  secretArn: z.string().min(1),
  lastInboundAt: z.string().optional(),
  /** The number is also on the WhatsApp Business app (Meta's coexistence): sent at a lower rate. */
  coexistence: z.boolean().optional(),
  /** How the connection was made: `embedded-signup` through Echo's own Meta app; absent: credentials pasted by the owner. */
  onboarding: z.enum(['embedded-signup']).optional(),
  /** Hours the AI steps back from a conversation after the owner replied in it (see `lambdas/domain/handoff.ts`). */
  handoffPauseHours: z.number().positive().max(HANDOFF_MAX_PAUSE_HOURS).optional(),
});

export type ConnectionRecord = z.infer<typeof connectionRecordSchema>;
