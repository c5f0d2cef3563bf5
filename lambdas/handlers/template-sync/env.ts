import * as z from 'zod';

/** The template-sync job's configuration, validated once at cold start. */
export const templateSyncEnvSchema = z.object({
  TEMPLATES_TABLE: z.string().min(1),
  CONNECTIONS_TABLE: z.string().min(1),
  TWILIO_CONTENT_BASE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().default('https://content.twilio.com')),
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
