import * as z from 'zod';
import { DEFAULT_QUIET_RULES } from '../../domain/connection-health';

/** The connection health check's configuration, validated once at cold start. */
export const connectionHealthEnvSchema = z.object({
  CONNECTIONS_TABLE: z.string().min(1),
  /** Hours without an inbound message after which a usually busy connection is reported quiet. */
  QUIET_AFTER_HOURS: z.coerce.number().positive().max(24 * 7).default(DEFAULT_QUIET_RULES.quietAfterHours),
  /** Days in a row with inbound messages that make a connection "usually receiving". */
  QUIET_BASELINE_DAYS: z.coerce.number().int().min(1).max(13).default(DEFAULT_QUIET_RULES.baselineDays),
});

export type ConnectionHealthEnv = z.infer<typeof connectionHealthEnvSchema>;

export function loadConnectionHealthEnv(source: NodeJS.ProcessEnv = process.env): ConnectionHealthEnv {
  const parsed = connectionHealthEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`connection health configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
