/**
 * A local OpenID Connect issuer for dev tokens: one RSA key (kept in `.local/oidc-key.json`, so tokens
 * survive a restart and `npm run token` can sign without the runtime), its JWKS, a discovery
 * document, and RS256 ID tokens that carry the business claim the admin API reads.
 *
 * It plays the part Cognito (or Echo's own identity provider) plays in AWS; the local gateway
 * checks its tokens the way API Gateway's JWT authorizer does (`local/jwt-authorizer.ts`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the signing key lives, beside the runtime's state file. */
export const DEFAULT_OIDC_KEY_FILE = resolve(__dirname, '..', '.local', 'oidc-key.json');

/** The audience (client id) of local tokens; the local JWT authorizer accepts only this one. */
export const LOCAL_AUDIENCE = 'echo-whatsapp-local';

/** The issuer's path on the local gateway: `${gatewayUrl}${LOCAL_ISSUER_PATH}`. */
export const LOCAL_ISSUER_PATH = '/local-oidc';

/** The admin API's `BUSINESS_CLAIM` when the template sets none (Cognito's custom attribute). */
export const DEFAULT_BUSINESS_CLAIM = 'custom:business_id';

/** Twelve hours: a working day of clicking around without signing in again. */
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export interface JsonWebKey {
  kty: string;
  kid: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
}

export interface IssueTokenOptions {
  businessId: string;
  /** @default 'dev-user' */
  subject?: string;
  /** @default DEFAULT_TOKEN_TTL_SECONDS */
  ttlSeconds?: number;
  /** Extra or overriding claims (tests use this for expired or wrong-audience tokens). */
  claims?: Record<string, unknown>;
  now?: Date;
}

export interface LocalOidcIssuer {
  issuer: string;
  audience: string;
  /** Name of the claim carrying the business id (`BUSINESS_CLAIM` of the admin API). */
  businessClaim: string;
  jwks: { keys: JsonWebKey[] };
  discovery: Record<string, unknown>;
  issueToken(options: IssueTokenOptions): string;
}

interface StoredKey {
  kid: string;
  privateKeyPem: string;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** Loads the signing key, creating it on first use. */
export function loadOrCreateSigningKey(keyFile: string = DEFAULT_OIDC_KEY_FILE): { kid: string; privateKey: KeyObject } {
  if (existsSync(keyFile)) {
    const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as StoredKey;
    return { kid: stored.kid, privateKey: createPrivateKey(stored.privateKeyPem) };
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stored: StoredKey = {
    kid: `local-${randomUUID().slice(0, 8)}`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  mkdirSync(dirname(keyFile), { recursive: true });
  // Owner-only: it signs tokens that the local admin API trusts.
  writeFileSync(keyFile, `${JSON.stringify(stored)}\n`, { mode: 0o600 });
  return { kid: stored.kid, privateKey };
}

/**
 * Signs a compact JWS with RS256.
 * @example signJwt({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, { sub: 'u' }, privateKey) // 'eyJ…'
 */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The local issuer at `issuer` (usually `${gatewayUrl}/local-oidc`).
 * @example
 * const oidc = createLocalOidcIssuer({ issuer: 'http://127.0.0.1:3000/local-oidc', businessClaim: 'custom:business_id' });
 * oidc.issueToken({ businessId: 'demo' }) // an RS256 JWT with iss, aud, sub, exp and custom:business_id = 'demo'
 */
export function createLocalOidcIssuer(options: {
  issuer: string;
  businessClaim: string;
  audience?: string;
  keyFile?: string;
}): LocalOidcIssuer {
  const { kid, privateKey } = loadOrCreateSigningKey(options.keyFile);
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const issuer = options.issuer.replace(/\/+$/, '');
  return {
    issuer,
    audience,
    businessClaim: options.businessClaim,
    jwks: { keys: [{ kty: publicJwk.kty, n: publicJwk.n, e: publicJwk.e, kid, use: 'sig', alg: 'RS256' }] },
    discovery: {
      issuer,
      jwks_uri: `${issuer}/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', options.businessClaim],
    },
    issueToken: (token) => {
      const now = Math.floor((token.now ?? new Date()).getTime() / 1000);
      const payload = {
        iss: issuer,
        aud: audience,
        sub: token.subject ?? 'dev-user',
        token_use: 'id',
        iat: now,
        exp: now + (token.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS),
        [options.businessClaim]: token.businessId,
        ...token.claims,
      };
      return signJwt({ alg: 'RS256', kid, typ: 'JWT' }, payload, privateKey);
    },
  };
}
