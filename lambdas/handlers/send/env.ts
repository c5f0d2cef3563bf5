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
  /** The payload archive's bucket: every BSP exchange of a send is kept there. Unset: nothing is archived. */
  ARCHIVE_BUCKET: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** Public base URL of the webhook; status callback URLs are built on it. */
  WEBHOOK_BASE_URL: url,
  TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),
  TWILIO_CONTENT_BASE_URL: url.default('https://content.twilio.com'),
  /** Meta's Graph API (the version is pinned in code, `META_GRAPH_VERSION`); the simulator's URL locally. */
  META_GRAPH_BASE_URL: url.default('https://graph.facebook.com'),
  DIALOG360_BASE_URL: url.default('https://waba-v2.360dialog.io'),
  /** The outbound queue's maxReceiveCount: a safety net for poison records, not the retry budget. */
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1),
  /** The retry budget on each message record: BSP calls, and how long after recording. */
  SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  SEND_RETRY_BUDGET_SECONDS: z.coerce.number().int().min(1).default(60 * 60),
  /** How long a send whose outcome is unknown may stay unsettled before it fails `outcome-unknown`. */
  SEND_OUTCOME_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(10 * 60),
  /** How long after a lost answer before the BSP's message list is asked (Twilio). */
  SEND_LOOKUP_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  /** How long a record waits between two checks of an unsettled send (the first; later ones space out). */
  SEND_RESOLVE_DELAY_MS: z.coerce.number().int().min(0).default(5_000),
  /** How long an open window is trusted from memory (`OpenWindowConversationCache`); 0 = always read. */
  SEND_CONVERSATION_CACHE_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Conversations of one batch handled at the same time. */
  SEND_CONVERSATION_CONCURRENCY: z.coerce.number().int().min(1).default(10),
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
