import * as z from 'zod';

/** The window-expiry job's configuration, validated once at cold start. */
export const windowEnvSchema = z.object({
  CONVERSATIONS_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  /** How long before a window closes the conversation is flagged `expiring`. At most 23 h: a window lasts 24. */
  WINDOW_LEAD_MINUTES: z.coerce.number().int().min(1).max(23 * 60).default(60),
});

export type WindowEnv = z.infer<typeof windowEnvSchema>;

export function loadWindowEnv(source: NodeJS.ProcessEnv = process.env): WindowEnv {
  const parsed = windowEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`window job configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
