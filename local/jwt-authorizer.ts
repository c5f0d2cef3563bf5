/**
 * The local stand-in for API Gateway's HTTP API JWT authorizer, following its documented workflow
 * ("Control access to HTTP APIs with JWT authorizers"):
 * 1. the token comes from the identity source (`Authorization` header), with or without `Bearer `;
 * 2. it must be a signed JWT whose header `kid` names a key of the issuer's JWKS and whose `alg` is
 *    RSA (RS256/RS384/RS512); the signature must verify with that key (`alg: none`, HMAC and
 *    unsigned tokens are refused);
 * 3. claims: `iss` equals the issuer; `aud` (or, when there is no `aud`, `client_id`) matches an
 *    audience; `exp` is in the future; `nbf` and `iat`, when present, are not in the future;
 * 4. on success the handler sees the claims in `requestContext.authorizer.jwt.claims`, every value
 *    as a string (arrays as `[a b]`), as HTTP APIs deliver them; on failure the client gets 401
 *    `{"message":"Unauthorized"}` and the function is not invoked.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from './oidc';

export interface JwtAuthorizerConfig {
  issuer: string;
  audience: string[];
  jwks: { keys: JsonWebKey[] };
}

export type JwtAuthorization =
  | { ok: true; claims: Record<string, string>; scopes?: string[] }
  | { ok: false; reason: string };

const RSA_HASHES: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Claim values the way HTTP APIs hand them to the integration: strings. */
function stringifyClaim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(' ')}]`;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * Authorizes a request's `Authorization` header against one JWT authorizer.
 * @example
 * authorizeJwt('Bearer eyJ…', { issuer, audience: ['echo-whatsapp-local'], jwks }) // { ok: true, claims: { sub: 'dev-user', … } }
 */
export function authorizeJwt(authorization: string | undefined, config: JwtAuthorizerConfig, now: Date = new Date()): JwtAuthorization {
  if (!authorization) return { ok: false, reason: 'no token in the Authorization header' };
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[2]) return { ok: false, reason: 'not a signed JWT' };
  const header = decodeSegment(parts[0]);
  const payload = decodeSegment(parts[1]);
  if (!header || !payload) return { ok: false, reason: 'undecodable token' };

  const hash = typeof header.alg === 'string' ? RSA_HASHES[header.alg] : undefined;
  if (!hash) return { ok: false, reason: `unsupported alg ${String(header.alg)}` };
  const jwk = config.jwks.keys.find((key) => key.kid === header.kid);
  if (!jwk) return { ok: false, reason: 'kid not found in the JWKS' };
  let valid = false;
  try {
    const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
    valid = verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'signature does not verify' };

  if (payload.iss !== config.issuer) return { ok: false, reason: 'issuer does not match' };
  const audiences = payload.aud === undefined ? [payload.client_id] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.some((audience) => typeof audience === 'string' && config.audience.includes(audience))) {
    return { ok: false, reason: 'audience does not match' };
  }
  const seconds = now.getTime() / 1000;
  if (typeof payload.exp !== 'number' || payload.exp <= seconds) return { ok: false, reason: 'token expired' };
  if (typeof payload.nbf === 'number' && payload.nbf > seconds) return { ok: false, reason: 'token not yet valid' };
  if (typeof payload.iat === 'number' && payload.iat > seconds + 300) return { ok: false, reason: 'token issued in the future' };

  const claims = Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, stringifyClaim(value)]));
  const scope = typeof payload.scope === 'string' ? payload.scope : typeof payload.scp === 'string' ? payload.scp : undefined;
  return { ok: true, claims, ...(scope && { scopes: scope.split(' ').filter(Boolean) }) };
}
