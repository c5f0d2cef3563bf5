import * as z from 'zod';

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The media function's configuration, validated once at cold start. */
export const mediaEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  DEDUPE_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  MEDIA_QUEUE_URL: z.url(),
  TWILIO_API_BASE_URL: z.preprocess(blankAsUndefined, z.url().default('https://api.twilio.com')),
  META_GRAPH_BASE_URL: z.preprocess(blankAsUndefined, z.url().default('https://graph.facebook.com')),
  DIALOG360_BASE_URL: z.preprocess(blankAsUndefined, z.url().default('https://waba-v2.360dialog.io')),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** One download, body included: a 100 MB document over a slow link. Below the function's 120 s. */
  MEDIA_DOWNLOAD_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(110_000).default(90_000),
  /** Attempts per job; the last records a still-failing item `failed`. Below the queue's maxReceiveCount (10). */
  MEDIA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(9).default(6),
  /** Failed downloads per connection in an hour before we stop asking (360dialog blocks at 20). */
  MEDIA_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(19).default(15),
  /**
   * Local runtime only (`npm run dev`, tests): lets media be fetched over plain http from loopback,
   * where the BSP simulators listen. Never set in AWS (the stack does not set it).
   */
  MEDIA_ALLOW_INSECURE_LOCAL: z.preprocess(blankAsUndefined, z.enum(['0', '1']).default('0')),
});

export type MediaEnv = z.infer<typeof mediaEnvSchema>;

export function loadMediaEnv(source: NodeJS.ProcessEnv = process.env): MediaEnv {
  const parsed = mediaEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`media configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
