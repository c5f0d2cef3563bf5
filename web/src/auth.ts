/**
 * Sign-in logic of the settings page without the DOM: where the token comes from, what it says,
 * and the OIDC authorization code + PKCE pieces. `main.ts` wires these to `location`,
 * `sessionStorage` and `fetch`; unit tests call them directly in Node.
 */

/** Where the page keeps the token for this tab (sessionStorage: gone when the tab closes). */
export const TOKEN_STORAGE_KEY = 'echo.settings.token';
/** The PKCE verifier, `state` and `nonce` of a sign-in under way (sessionStorage). */
export const PKCE_STORAGE_KEY = 'echo.settings.pkce';

/** A JWT's shape: three base64url parts (the signature may be empty only for unsigned tokens). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Runtime configuration served at `/settings/config.json`. */
export interface SettingsConfig {
  apiBaseUrl: string;
  businessClaim: string;
  auth: TokenAuth | OidcAuth;
}
export interface TokenAuth {
  type: 'token';
}
export interface OidcAuth {
  type: 'oidc';
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  redirectPath: string;
}

/**
 * The token in a URL fragment such as `#token=eyJ…`, or `undefined`.
 * @example parseFragmentToken('#token=a.b.c') // 'a.b.c'
 */
export function parseFragmentToken(hash: string): string | undefined {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw) return undefined;
  const token = new URLSearchParams(raw).get('token')?.trim();
  return token && JWT_SHAPE.test(token) ? token : undefined;
}

/**
 * The JSON payload of a JWT, without checking its signature (the API's authorizer does that; the
 * page only reads the business id and expiry to decide what to show). `undefined` when malformed.
 */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  if (!JWT_SHAPE.test(token)) return undefined;
  try {
    const json = new TextDecoder().decode(base64UrlToBytes(token.split('.')[1]));
    const payload: unknown = JSON.parse(json);
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the token's `exp` (seconds) has passed at `now` (milliseconds). A token without `exp` never expires here. */
export function isExpired(payload: Record<string, unknown>, now: number): boolean {
  const exp = payload.exp;
  return typeof exp === 'number' && exp * 1000 <= now;
}

/** The business the token acts for: its `claim` claim, when it is a non-empty string. */
export function businessIdFrom(payload: Record<string, unknown>, claim: string): string | undefined {
  const value = payload[claim];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** What PKCE needs of Web Crypto (`globalThis.crypto` in browsers and Node ≥ 20). */
export interface CryptoLike {
  getRandomValues<T extends Uint8Array>(array: T): T;
  subtle: { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> };
}

/** `bytes` random bytes, base64url: 32 bytes give a 43-character PKCE verifier (RFC 7636 §4.1). */
export function randomUrlSafe(crypto: CryptoLike, bytes = 32): string {
  return bytesToBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))), RFC 7636 §4.2.
 * @example await pkceChallenge('dBjftJeZ4CVP-mJ92K9ECBDlFU0ktVBHpY6jzWEG6q0', crypto) // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function pkceChallenge(verifier: string, crypto: CryptoLike): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(new TextEncoder().encode(verifier)));
  return bytesToBase64Url(new Uint8Array(digest));
}

/** The authorization request URL (response_type=code, S256). */
export function authorizeUrl(
  auth: OidcAuth,
  params: { redirectUri: string; state: string; nonce: string; challenge: string },
): string {
  const url = new URL(auth.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('scope', auth.scope);
  url.searchParams.set('state', params.state);
  url.searchParams.set('nonce', params.nonce);
  url.searchParams.set('code_challenge', params.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** The form body of the token request that trades the code (and verifier) for tokens. */
export function tokenRequestBody(auth: OidcAuth, params: { code: string; redirectUri: string; verifier: string }): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: params.code,
    redirect_uri: params.redirectUri,
    client_id: auth.clientId,
    code_verifier: params.verifier,
  }).toString();
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Decodes base64url (padding and the `+/` alphabet tolerated). */
export function base64UrlToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new Error('not base64url');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}
