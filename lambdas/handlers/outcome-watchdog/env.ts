import * as z from 'zod';

/** The watchdog's configuration, validated once at cold start. */
export const outcomeWatchdogEnvSchema = z.object({
  MESSAGES_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
});

export type OutcomeWatchdogEnv = z.infer<typeof outcomeWatchdogEnvSchema>;

export function loadOutcomeWatchdogEnv(source: NodeJS.ProcessEnv = process.env): OutcomeWatchdogEnv {
  const parsed = outcomeWatchdogEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`outcome watchdog configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
