import * as z from 'zod';

/** A base URL; empty means the default (the BSP's production host). */
const baseUrl = (fallback: string) => z.preprocess((value) => (value === '' ? undefined : value), z.url().default(fallback));

/** The template-sync job's configuration, validated once at cold start. */
export const templateSyncEnvSchema = z.object({
  TEMPLATES_TABLE: z.string().min(1),
  CONNECTIONS_TABLE: z.string().min(1),
  /** Each BSP's template API (the local simulators' URLs locally). */
  TWILIO_CONTENT_BASE_URL: baseUrl('https://content.twilio.com'),
  /** Meta's Graph API; the version is pinned in code (`META_GRAPH_VERSION`). */
  META_GRAPH_BASE_URL: baseUrl('https://graph.facebook.com'),
  DIALOG360_BASE_URL: baseUrl('https://waba-v2.360dialog.io'),
  SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
});

export type TemplateSyncEnv = z.infer<typeof templateSyncEnvSchema>;

export function loadTemplateSyncEnv(source: NodeJS.ProcessEnv = process.env): TemplateSyncEnv {
  const parsed = templateSyncEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`template-sync configuration is invalid: ${problems}`);
  }
  return parsed.data;
}
