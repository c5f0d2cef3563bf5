import * as z from 'zod';

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The AI Lambda's configuration, validated once at cold start: a bad deploy fails loudly, not per message. */
export const aiEnvSchema = z
  .object({
    CONVERSATIONS_TABLE: z.string().min(1),
    MESSAGES_TABLE: z.string().min(1),
    OUTBOUND_QUEUE_URL: z.url(),
    /** The connection of a message, for read receipts on BSPs that have them; without it none are sent. */
    CONNECTIONS_TABLE: z.preprocess(blankAsUndefined, z.string().min(1).optional()),
    SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
    META_GRAPH_BASE_URL: z.preprocess(blankAsUndefined, z.url().default('https://graph.facebook.com')),
    DIALOG360_BASE_URL: z.preprocess(blankAsUndefined, z.url().default('https://waba-v2.360dialog.io')),
    /** Read receipts are best effort: a short budget, so a slow BSP never delays the answer much. */
    READ_RECEIPT_TIMEOUT_MS: z.coerce.number().int().min(100).default(2_000),
    EVENT_BUS_NAME: z.preprocess(blankAsUndefined, z.string().min(1).optional()),
    /** The media bucket, for presigned links to a message's media; without it media goes to the responder as received. */
    MEDIA_BUCKET: z.preprocess(blankAsUndefined, z.string().min(1).optional()),
    /** Presigned links live this long (the responder must fetch within it). */
    MEDIA_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(12 * 60 * 60).default(900),
    /** The queue this Lambda consumes: a message waiting for its media goes back for a few seconds only. */
    INBOUND_QUEUE_URL: z.preprocess(blankAsUndefined, z.url().optional()),
    RESPONDER: z.preprocess(blankAsUndefined, z.enum(['http', 'none', 'demo']).default('none')),
    AI_ENDPOINT_URL: z.preprocess(blankAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    AI_ENDPOINT_TIMEOUT_MS: z.coerce.number().int().min(100).max(25_000).default(8000),
    AI_HISTORY_LIMIT: z.coerce.number().int().min(0).max(100).default(20),
  })
  .refine((env) => env.RESPONDER !== 'http' || env.AI_ENDPOINT_URL !== undefined, {
    message: 'RESPONDER is "http" but AI_ENDPOINT_URL is not set',
    path: ['AI_ENDPOINT_URL'],
  });

export type AiEnv = z.infer<typeof aiEnvSchema>;

export function loadAiEnv(source: NodeJS.ProcessEnv = process.env): AiEnv {
  const parsed = aiEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`AI configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
