import { createHmac } from 'node:crypto';
import { joinUrl } from '../cloud-api/http';

/**
 * The Graph API version every Meta call uses: the only place it is written. Meta supports a
 * version for about two years; moving it is one change here, checked against Meta's changelog
 * (CLOUD_API.md §4: pin a version in config).
 */
export const META_GRAPH_VERSION = 'v23.0';

/** Meta's Graph API host; `META_GRAPH_BASE_URL` points elsewhere (the local simulator). */
export const META_GRAPH_BASE_URL = 'https://graph.facebook.com';

/**
 * A Graph API URL at the pinned version.
 * @example graphUrl('https://graph.facebook.com', '/1065/messages') // 'https://graph.facebook.com/v23.0/1065/messages'
 */
export function graphUrl(baseUrl: string, path: string): string {
  return joinUrl(baseUrl, `/${META_GRAPH_VERSION}${path}`);
}

/**
 * `appsecret_proof`: HMAC-SHA256 of the access token keyed with the app secret, hex. Sent with
 * every Graph call so that a stolen token alone is useless where the app requires it, and so that
 * the connection test learns whether the app secret (which verifies webhooks) belongs to the
 * token's app: Graph refuses a wrong proof ("Invalid appsecret_proof provided in the API argument").
 * @example appSecretProof('EAAB…', '0123456789abcdef0123456789abcdef') // '3f1a…' (64 hex)
 */
export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken, 'utf8').digest('hex');
}
