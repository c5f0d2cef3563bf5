import * as z from 'zod';

/** The reconciler's configuration, validated once at cold start. */
export const reconcileEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  CONVERSATIONS_TABLE: z.string().min(1),
  MESSAGES_TABLE: z.string().min(1),
  DEDUPE_TABLE: z.string().min(1),
  INBOUND_QUEUE_URL: z.url(),
  EVENT_BUS_NAME: z.string().min(1),
  TWILIO_API_BASE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().default('https://api.twilio.com')),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** The same TTL the webhook gives dedupe items. */
  DEDUPE_TTL_DAYS: z.coerce.number().int().min(1).default(14),
  /** How far back each run asks the BSP; longer than the schedule, so every message is seen by several runs. */
  RECONCILE_LOOKBACK_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** Messages younger than this are left to the webhook (see `reconcileInbound`). */
  RECONCILE_SETTLE_SECONDS: z.coerce.number().int().min(0).default(120),
});

export type ReconcileEnv = z.infer<typeof reconcileEnvSchema>;

export function loadReconcileEnv(source: NodeJS.ProcessEnv = process.env): ReconcileEnv {
  const parsed = reconcileEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`reconcile configuration is invalid: ${problems}`);
  }
  const env = parsed.data;
  if (env.RECONCILE_SETTLE_SECONDS >= env.RECONCILE_LOOKBACK_MINUTES * 60) {
    throw new Error('reconcile configuration is invalid: RECONCILE_SETTLE_SECONDS must be shorter than the look-back');
  }
  return env;
}
