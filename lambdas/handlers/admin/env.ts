import * as z from 'zod';

const url = z
  .string()
  .url()
  .transform((value) => value.replace(/\/+$/, ''));

/** The admin Lambda's configuration, validated once at cold start: a bad deploy fails loudly. */
export const adminEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  CONVERSATIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  TEMPLATES_TABLE: z.string().min(1),
  AUDIT_TABLE: z.string().min(1),
  /** Where `POST …/messages` claims idempotency keys (`admin#…` items; the send Lambda's table). */
  DEDUPE_TABLE: z.string().min(1),
  OUTBOUND_QUEUE_URL: z.string().url(),
  EVENT_BUS_NAME: z.string().min(1),
  /** Secret names are `${SECRET_NAME_PREFIX}/connections/${connectionId}`. */
  SECRET_NAME_PREFIX: z.string().min(1).regex(/^[A-Za-z0-9/_+=.@-]+$/),
  /** The stack's customer managed key (id, ARN or alias) that encrypts connection secrets. */
  SECRETS_KMS_KEY_ID: z.string().min(1),
  /** Secrets Manager accepts 7 to 30 days. */
  SECRET_RECOVERY_WINDOW_DAYS: z.coerce.number().int().min(7).max(30).default(7),
  /** Public base URL of the webhook: the URLs a business pastes into its BSP's console (and 360dialog's registration) are built on it. */
  WEBHOOK_BASE_URL: url,
  TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),
  TWILIO_CONTENT_BASE_URL: url.default('https://content.twilio.com'),
  /** Meta Graph API base (the version is pinned in the Meta provider); a local simulator's URL in local runs. */
  META_GRAPH_BASE_URL: url.default('https://graph.facebook.com'),
  /**
   * Echo's own Meta app ("Connect with Facebook", Embedded Signup): its id, and the ARN of the
   * deployment's `meta-app` secret (`{ appSecret, systemUserToken, verifyToken }`). Without both, the
   * route answers 409 `not-supported`; an empty value reads as absent.
   */
  META_APP_ID: z.preprocess((value) => (value === '' ? undefined : value), z.string().regex(/^\d{5,20}$/, 'must be the Meta app id (digits)').optional()),
  META_APP_SECRET_ARN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** 360dialog's Cloud API base; a local simulator's URL in local runs. */
  DIALOG360_BASE_URL: url.default('https://waba-v2.360dialog.io'),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** The JWT claim that names the business a token acts for. */
  BUSINESS_CLAIM: z.string().min(1).default('custom:business_id'),
  /** How long audit records are kept (the table's TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  /**
   * How long a send's idempotency claim is kept: the same retention (and default) as the send
   * Lambda's outbound dedupe items, whose `DEDUPE_TTL_DAYS` it shares.
   */
  DEDUPE_TTL_DAYS: z.coerce.number().int().min(1).default(14),
  /** The media bucket: the messages route signs links to inbound media in it. Without it, messages carry no `media`. */
  MEDIA_BUCKET: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** How long those links live: the page loads them at once, and a new read signs new ones. */
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(12 * 60 * 60).default(900),
});

export type AdminEnv = z.infer<typeof adminEnvSchema>;

export function loadAdminEnv(source: NodeJS.ProcessEnv = process.env): AdminEnv {
  const parsed = adminEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`admin configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
