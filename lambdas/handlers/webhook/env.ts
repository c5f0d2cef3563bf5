import * as z from 'zod';

const optionalUrl = z
  .string()
  .url()
  .transform((url) => url.replace(/\/+$/, ''))
  .optional();

/** The webhook's configuration, validated once at cold start: a bad deploy fails loudly, not per request. */
export const webhookEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  CONVERSATIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  DEDUPE_TABLE: z.string().min(1),
  INBOUND_QUEUE_URL: z.string().url(),
  /** Where a refused message's fallback (template, plain text) is enqueued; without it, none is sent. */
  OUTBOUND_QUEUE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional()),
  EVENT_BUS_NAME: z.string().min(1),
  /** The payload archive's bucket; without it nothing is archived (bench's "archive off" rounds). */
  ARCHIVE_BUCKET: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** Set when Twilio calls us through a custom domain or base path that API Gateway does not show. */
  PUBLIC_BASE_URL: z.preprocess((value) => (value === '' ? undefined : value), optionalUrl),
  /** Echo's own Meta app secret (`{appSecret, systemUserToken, verifyToken}`): enables the app-level route `…/webhook/whatsapp/meta`. */
  META_APP_SECRET_ARN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  CONNECTION_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(30),
  DEDUPE_TTL_DAYS: z.coerce.number().int().min(1).default(14),
});

export type WebhookEnv = z.infer<typeof webhookEnvSchema>;

export function loadWebhookEnv(source: NodeJS.ProcessEnv = process.env): WebhookEnv {
  const parsed = webhookEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`webhook configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
