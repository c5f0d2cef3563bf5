import * as z from 'zod';

/** The event relay's configuration, validated once at cold start. */
export const eventRelayEnvSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1),
});

export type EventRelayEnv = z.infer<typeof eventRelayEnvSchema>;

export function loadEventRelayEnv(source: NodeJS.ProcessEnv = process.env): EventRelayEnv {
  const parsed = eventRelayEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`event relay configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
