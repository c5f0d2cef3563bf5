import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizeJwt, type JwtAuthorizerConfig } from '../../../local/jwt-authorizer';
import { createLocalOidcIssuer, signJwt } from '../../../local/oidc';

const keyFile = join(mkdtempSync(join(tmpdir(), 'oidc-test-')), 'key.json');
const oidc = createLocalOidcIssuer({ issuer: 'http://127.0.0.1:3000/local-oidc', businessClaim: 'custom:business_id', keyFile });
const config: JwtAuthorizerConfig = { issuer: oidc.issuer, audience: [oidc.audience], jwks: oidc.jwks };
const now = new Date('2026-11-27T12:00:00Z');
const seconds = now.getTime() / 1000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function reasonOf(token: string | undefined): string | undefined {
  const result = authorizeJwt(token, config, now);
  return result.ok ? undefined : result.reason;
}

describe('local JWT authorizer (API Gateway HTTP API rules)', () => {
  it('accepts a token of the issuer, with or without the Bearer prefix, and hands over string claims', () => {
    const token = oidc.issueToken({ businessId: 'shop-1', now, claims: { groups: ['a', 'b'] } });
    for (const header of [`Bearer ${token}`, token]) {
      const result = authorizeJwt(header, config, now);
      expect(result).toMatchObject({ ok: true });
      if (!result.ok) continue;
      expect(result.claims['custom:business_id']).toBe('shop-1');
      expect(result.claims.sub).toBe('dev-user');
      expect(result.claims.exp).toBe(String(seconds + 12 * 3600));
      expect(result.claims.groups).toBe('[a b]');
    }
  });

  it('keeps the same key across issuers built on one key file, so npm run token and the runtime agree', () => {
    const again = createLocalOidcIssuer({ issuer: oidc.issuer, businessClaim: 'custom:business_id', keyFile });
    expect(again.jwks).toEqual(oidc.jwks);
    expect(authorizeJwt(again.issueToken({ businessId: 'x', now }), config, now).ok).toBe(true);
  });

  it('refuses a missing, expired, not-yet-valid, wrong-issuer and wrong-audience token', () => {
    expect(reasonOf(undefined)).toMatch(/no token/);
    expect(reasonOf(oidc.issueToken({ businessId: 'b', now, claims: { exp: seconds - 1 } }))).toMatch(/expired/);
    expect(reasonOf(oidc.issueToken({ businessId: 'b', now, claims: { exp: undefined } }))).toMatch(/expired/);
    expect(reasonOf(oidc.issueToken({ businessId: 'b', now, claims: { nbf: seconds + 600 } }))).toMatch(/not yet valid/);
    expect(reasonOf(oidc.issueToken({ businessId: 'b', now, claims: { iss: 'https://evil.example' } }))).toMatch(/issuer/);
    expect(reasonOf(oidc.issueToken({ businessId: 'b', now, claims: { aud: 'another-client' } }))).toMatch(/audience/);
  });

  it('accepts client_id in place of a missing aud (Cognito access tokens), and only then', () => {
    const withClientId = oidc.issueToken({ businessId: 'b', now, claims: { aud: undefined, client_id: oidc.audience } });
    expect(reasonOf(withClientId)).toBeUndefined();
    const both = oidc.issueToken({ businessId: 'b', now, claims: { aud: 'other', client_id: oidc.audience } });
    expect(reasonOf(both)).toMatch(/audience/);
  });

  it('refuses alg none, unsigned, HMAC-signed, foreign-key and tampered tokens', () => {
    const payload = { iss: oidc.issuer, aud: oidc.audience, sub: 'x', exp: seconds + 60, 'custom:business_id': 'victim' };
    const kid = oidc.jwks.keys[0].kid;
    expect(reasonOf(`${b64({ alg: 'none', kid })}.${b64(payload)}.`)).toMatch(/not a signed JWT/);
    expect(reasonOf(`${b64({ alg: 'none', kid })}.${b64(payload)}.AAAA`)).toMatch(/unsupported alg/);
    expect(reasonOf(`${b64({ alg: 'RS256', kid })}.${b64(payload)}`)).toMatch(/not a signed JWT/);

    // The classic confusion attack: HS256 keyed with the public key's material.
    const input = `${b64({ alg: 'HS256', kid })}.${b64(payload)}`;
    const hmac = createHmac('sha256', oidc.jwks.keys[0].n as string).update(input).digest('base64url');
    expect(reasonOf(`${input}.${hmac}`)).toMatch(/unsupported alg/);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(reasonOf(signJwt({ alg: 'RS256', kid }, payload, privateKey))).toMatch(/signature/);
    expect(reasonOf(signJwt({ alg: 'RS256', kid: 'unknown' }, payload, privateKey))).toMatch(/kid/);

    const genuine = oidc.issueToken({ businessId: 'mine', now }).split('.');
    const tampered = `${genuine[0]}.${b64({ ...JSON.parse(Buffer.from(genuine[1], 'base64url').toString()), 'custom:business_id': 'victim' })}.${genuine[2]}`;
    expect(reasonOf(tampered)).toMatch(/signature/);
    expect(reasonOf('not-a-jwt')).toMatch(/not a signed JWT/);
  });
});
