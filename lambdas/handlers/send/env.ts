import * as z from 'zod';

const url = z
  .string()
  .url()
  .transform((value) => value.replace(/\/+$/, ''));

/** The send Lambda's configuration, validated once at cold start: a bad deploy fails loudly. */
export const sendEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  CONVERSATIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  DEDUPE_TABLE: z.string().min(1),
  TEMPLATES_TABLE: z.string().min(1),
  CONTENT_CACHE_TABLE: z.string().min(1),
  OUTBOUND_QUEUE_URL: z.string().url(),
  EVENT_BUS_NAME: z.string().min(1),
  /** Public base URL of the webhook; status callback URLs are built on it. */
  WEBHOOK_BASE_URL: url,
  TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),
  TWILIO_CONTENT_BASE_URL: url.default('https://content.twilio.com'),
  /** Meta's Graph API (the version is pinned in code, `META_GRAPH_VERSION`); the simulator's URL locally. */
  META_GRAPH_BASE_URL: url.default('https://graph.facebook.com'),
  DIALOG360_BASE_URL: url.default('https://waba-v2.360dialog.io'),
  /** The outbound queue's maxReceiveCount: the receive that reaches it is the last attempt. */
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Retry backoff (full jitter): first ceiling and cap. Tests and the local runtime shorten them. */
  SEND_BACKOFF_BASE_MS: z.coerce.number().int().min(0).default(2_000),
  SEND_BACKOFF_CAP_MS: z.coerce.number().int().min(0).default(15 * 60_000),
  CONNECTION_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(30),
  DEDUPE_TTL_DAYS: z.coerce.number().int().min(1).default(14),
});

export type SendEnv = z.infer<typeof sendEnvSchema>;

export function loadSendEnv(source: NodeJS.ProcessEnv = process.env): SendEnv {
  const parsed = sendEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`send configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
