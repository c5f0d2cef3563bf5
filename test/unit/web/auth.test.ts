import {
  authorizeUrl,
  base64UrlToBytes,
  businessIdFrom,
  bytesToBase64Url,
  decodeJwtPayload,
  isExpired,
  parseFragmentToken,
  pkceChallenge,
  randomUrlSafe,
  tokenRequestBody,
  type OidcAuth,
} from '../../../web/src/auth';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.c2lnbmF0dXJl`;

const oidc: OidcAuth = {
  type: 'oidc',
  authorizeUrl: 'https://auth.example.com/oauth2/authorize',
  tokenUrl: 'https://auth.example.com/oauth2/token',
  clientId: 'client-123',
  scope: 'openid email',
  redirectPath: '/settings/whatsapp',
};

describe('settings page sign-in', () => {
  describe('token in the URL fragment', () => {
    it('reads #token=', () => {
      const token = jwt({ sub: 'u1' });
      expect(parseFragmentToken(`#token=${token}`)).toBe(token);
      expect(parseFragmentToken(`token=${token}&x=1`)).toBe(token);
      expect(parseFragmentToken(`#other=1&token=${token}`)).toBe(token);
    });

    it('ignores fragments without a JWT-shaped token', () => {
      expect(parseFragmentToken('')).toBeUndefined();
      expect(parseFragmentToken('#')).toBeUndefined();
      expect(parseFragmentToken('#step-test')).toBeUndefined();
      expect(parseFragmentToken('#token=')).toBeUndefined();
      expect(parseFragmentToken('#token=not a jwt')).toBeUndefined();
      expect(parseFragmentToken('#token=a.b')).toBeUndefined();
    });
  });

  describe('JWT payload', () => {
    it('decodes the payload, UTF-8 included, and reads the business claim', () => {
      const payload = decodeJwtPayload(jwt({ sub: 'u1', 'custom:business_id': 'biz-ñandú', exp: 2_000_000_000 }));
      expect(payload).toEqual({ sub: 'u1', 'custom:business_id': 'biz-ñandú', exp: 2_000_000_000 });
      expect(businessIdFrom(payload!, 'custom:business_id')).toBe('biz-ñandú');
      expect(businessIdFrom(payload!, 'business')).toBeUndefined();
      expect(businessIdFrom({ business: '' }, 'business')).toBeUndefined();
      expect(businessIdFrom({ business: 42 }, 'business')).toBeUndefined();
    });

    it('refuses what is not a JWT with a JSON object payload', () => {
      expect(decodeJwtPayload('abc')).toBeUndefined();
      expect(decodeJwtPayload(`x.${Buffer.from('not json').toString('base64url')}.y`)).toBeUndefined();
      expect(decodeJwtPayload(`x.${b64url([1, 2])}.y`)).toBeUndefined();
    });

    it('knows when the token has expired', () => {
      const now = Date.UTC(2026, 10, 27, 12);
      expect(isExpired({ exp: now / 1000 - 1 }, now)).toBe(true);
      expect(isExpired({ exp: now / 1000 }, now)).toBe(true);
      expect(isExpired({ exp: now / 1000 + 60 }, now)).toBe(false);
      expect(isExpired({}, now)).toBe(false);
    });
  });

  describe('PKCE', () => {
    it('computes the S256 challenge of the RFC 7636 appendix B example', async () => {
      // Appendix B's verifier is dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk (the base64url of the octets below).
      await expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', globalThis.crypto)).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    });

    it('makes 43-character base64url verifiers, different every time', () => {
      const first = randomUrlSafe(globalThis.crypto);
      const second = randomUrlSafe(globalThis.crypto);
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(second).not.toBe(first);
    });

    it('encodes and decodes base64url like Node does', () => {
      for (const length of [0, 1, 2, 3, 4, 31, 32, 33]) {
        const bytes = new Uint8Array(Array.from({ length }, (_, i) => (i * 73 + 11) % 256));
        expect(bytesToBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
        expect(Array.from(base64UrlToBytes(Buffer.from(bytes).toString('base64url')))).toEqual(Array.from(bytes));
      }
      // RFC 7636 appendix B: the verifier is the base64url of these 32 octets.
      const octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
      expect(bytesToBase64Url(new Uint8Array(octets))).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    });

    it('builds the authorization request and the token request', () => {
      const url = new URL(authorizeUrl(oidc, { redirectUri: 'https://echo.example/settings/whatsapp', state: 's1', nonce: 'n1', challenge: 'c1' }));
      expect(url.origin + url.pathname).toBe(oidc.authorizeUrl);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'client-123',
        redirect_uri: 'https://echo.example/settings/whatsapp',
        scope: 'openid email',
        state: 's1',
        nonce: 'n1',
        code_challenge: 'c1',
        code_challenge_method: 'S256',
      });
      expect(Object.fromEntries(new URLSearchParams(tokenRequestBody(oidc, { code: 'abc', redirectUri: 'https://echo.example/settings/whatsapp', verifier: 'v1' })))).toEqual({
        grant_type: 'authorization_code',
        code: 'abc',
        redirect_uri: 'https://echo.example/settings/whatsapp',
        client_id: 'client-123',
        code_verifier: 'v1',
      });
    });
  });
});
