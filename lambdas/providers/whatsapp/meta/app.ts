import * as z from 'zod';
import type { ProviderCredentials } from '../provider';
import { parseProviderCredentials } from '../cloud-api/credentials';

/**
 * The secret of Echo's own Meta app (Tech Provider, Embedded Signup), one per deployment:
 * `${secretNamePrefix}/meta-app`, created by the stateful stack with a generated `verifyToken` and
 * empty `appSecret` / `systemUserToken` that the operator fills in (README, "Echo's Meta app").
 * - `appSecret`: App settings → Basic → App secret; signs every app-level webhook
 *   (`X-Hub-Signature-256`) and the code exchange of Embedded Signup;
 * - `systemUserToken`: a system user token of Echo's business with `whatsapp_business_management`
 *   and `whatsapp_business_messaging` (subscribing the app to onboarded WABAs);
 * - `verifyToken`: typed into the app's Webhooks settings next to the callback URL
 *   `…/webhook/whatsapp/meta`; Meta echoes it in the `GET` handshake.
 *
 * Empty strings are refused: a secret that the operator has not filled in verifies nothing.
 */
export const metaAppCredentialsSchema = z.object({
  appSecret: z.string().trim().min(1),
  systemUserToken: z.string().trim().min(1),
  verifyToken: z.string().min(1),
});

export type MetaAppCredentials = z.infer<typeof metaAppCredentialsSchema>;

/**
 * @throws InvalidCredentialsError naming the missing or empty fields (never their values).
 * @example parseMetaAppCredentials({ appSecret: '0123…', systemUserToken: 'EAAB…', verifyToken: 'q3V0…' })
 */
export function parseMetaAppCredentials(value: ProviderCredentials): MetaAppCredentials {
  return parseProviderCredentials(metaAppCredentialsSchema, value, "Echo's Meta app");
}

/** The secret's name under a deployment's secret prefix (the stateful stack creates it). */
export function metaAppSecretName(secretNamePrefix: string): string {
  return `${secretNamePrefix.replace(/\/+$/, '')}/meta-app`;
}
