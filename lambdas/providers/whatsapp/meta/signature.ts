import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Hub-Signature-256`, header names lower-cased as `WebhookRequest` carries them. */
export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/** `sha256=` and 64 hex digits: 71 characters, as courier checks before comparing. */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

function hmac(appSecret: string, body: string): Buffer {
  return createHmac('sha256', appSecret).update(body, 'utf8').digest();
}

/**
 * Non-ASCII characters as `\uXXXX` (lower-case hex, UTF-16 code units), the escaping Meta applies
 * before signing (CLOUD_API.md §3: "the string äöå should be escaped to \u00e4\u00f6\u00e5").
 */
function escapeUnicode(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `X-Hub-Signature-256` for a body, as Meta computes it: `sha256=` + lower-case hex
 * HMAC-SHA256(app secret, raw body). For tests and the local simulator.
 * @example metaSignature('{"object":"whatsapp_business_account"}', appSecret) // 'sha256=5c0f…'
 */
export function metaSignature(rawBody: string, appSecret: string): string {
  return `sha256=${hmac(appSecret, rawBody).toString('hex')}`;
}

/**
 * True when `X-Hub-Signature-256` proves that the holder of `appSecret` (Meta) sent exactly this
 * body. Computed over the raw bytes as received, never over re-serialised JSON: key order,
 * spacing, `\/` and `\uXXXX` escapes would all change (CLOUD_API.md §3). Header format and length
 * are checked first, then compared in constant time.
 *
 * Meta signs an ASCII-escaped body. A raw body with non-ASCII characters has been decoded by
 * something on the way; it is tried a second time with the characters escaped again (what
 * whatsapp-api-js does). Both candidates are keyed with the same secret: nobody without it can
 * produce either.
 *
 * @example
 * verifyMetaSignature(request.rawBody, request.headers['x-hub-signature-256'], credentials.appSecret) // true
 */
export function verifyMetaSignature(rawBody: string, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || !header) return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const received = Buffer.from(match[1]!, 'hex');
  if (timingSafeEqual(received, hmac(appSecret, rawBody))) return true;
  const escaped = escapeUnicode(rawBody);
  return escaped !== rawBody && timingSafeEqual(received, hmac(appSecret, escaped));
}
