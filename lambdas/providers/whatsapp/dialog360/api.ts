import type { ProviderCredentials } from '../provider';
import type { CloudApiAuthorization } from '../cloud-api/sender';
import { parseDialog360Credentials } from './credentials';

/** 360dialog's Cloud API host (v2; the On-Premise `waba.360dialog.io` is gone, CLOUD_API.md §7). */
export const DIALOG360_BASE_URL = 'https://waba-v2.360dialog.io';

/** The header 360dialog authenticates every call with; the key is scoped to one number. */
export const DIALOG360_API_KEY_HEADER = 'D360-API-KEY';

/**
 * The header we register with our webhook URL and 360dialog sends back on every webhook, carrying
 * the connection's `webhookSecret` (360dialog signs only partner-level webhooks, §7).
 */
export const DIALOG360_WEBHOOK_TOKEN_HEADER = 'X-Echo-Webhook-Token';

/**
 * How every 360dialog call is authenticated.
 * @throws InvalidCredentialsError
 * @example dialog360Authorization({ apiKey: 'k', webhookSecret: 's' }) // { headers: { 'D360-API-KEY': 'k' } }
 */
export function dialog360Authorization(credentials: ProviderCredentials): CloudApiAuthorization {
  return { headers: { [DIALOG360_API_KEY_HEADER]: parseDialog360Credentials(credentials).apiKey } };
}
