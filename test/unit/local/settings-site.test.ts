import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalOidcIssuer } from '../../../local/oidc';
import { createSettingsSite, localMediaSource } from '../../../local/settings-site';
import { parseTokenArgs, TokenUsageError } from '../../../scripts/token';

const keyFile = join(mkdtempSync(join(tmpdir(), 'oidc-site-')), 'key.json');
const oidc = createLocalOidcIssuer({ issuer: 'http://127.0.0.1:4321/local-oidc', businessClaim: 'custom:business_id', keyFile });
const site = createSettingsSite({ oidc });
const json = (path: string) => JSON.parse(site.serve(path)?.body.toString() ?? 'null') as Record<string, unknown>;

describe('local settings site', () => {
  it('publishes the issuer discovery document and its JWKS without private parts', () => {
    expect(json('/local-oidc/.well-known/openid-configuration')).toMatchObject({
      issuer: oidc.issuer,
      jwks_uri: `${oidc.issuer}/jwks.json`,
    });
    const jwks = json('/local-oidc/jwks.json') as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('serves the page config with the business claim and token sign-in', () => {
    expect(json('/settings/config.json')).toEqual({ apiBaseUrl: '', businessClaim: 'custom:business_id', auth: { type: 'token' } });
  });

  it('serves the built page on its paths with a strict content security policy', () => {
    for (const path of ['/settings/whatsapp', '/settings/whatsapp/', '/settings']) {
      const page = site.serve(path);
      expect(page?.statusCode).toBe(200);
      expect(page?.headers['content-type']).toMatch(/text\/html/);
      expect(page?.headers['content-security-policy']).toMatch(/script-src 'self'/);
    }
    expect(site.serve('/settings/app.js')?.headers['content-type']).toMatch(/javascript/);
  });

  it("admits moto's media bucket, and only its path, for the page's images and players", () => {
    // Prepare
    const source = localMediaSource('http://127.0.0.1:5000', 'echo-whatsapp-media-123456789012-us-east-1');
    const withMedia = createSettingsSite({ oidc, mediaSources: [source] });

    // Act
    const csp = String(withMedia.serve('/settings/whatsapp')?.headers['content-security-policy']);

    // Assess
    expect(source).toBe('http://127.0.0.1:5000/echo-whatsapp-media-123456789012-us-east-1/');
    expect(csp).toContain(`img-src 'self' data: ${source}`);
    expect(csp).toContain(`media-src ${source}`);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(site.serve('/settings/whatsapp')?.headers['content-security-policy']).not.toContain('media-src');
  });

  it('never serves anything outside the build and leaves other paths to the routes', () => {
    for (const path of ['/settings/../package.json', '/settings/%2e%2e/package.json', '/settings/sub/app.js', '/settings/.hidden']) {
      expect(site.serve(path)?.statusCode).toBe(404);
    }
    expect(site.serve('/businesses/demo/whatsapp/connection')).toBeUndefined();
    expect(site.serve('/')?.headers.location).toBe('/settings/whatsapp');
  });
});

describe('npm run token arguments', () => {
  it('needs a well-formed business id and a positive ttl', () => {
    expect(parseTokenArgs(['--business', 'shop-1'])).toMatchObject({ businessId: 'shop-1', printUrl: false, ttlSeconds: 43200 });
    expect(parseTokenArgs(['--business', 'b', '--ttl', '60', '--url'])).toMatchObject({ ttlSeconds: 60, printUrl: true });
    expect(() => parseTokenArgs([])).toThrow(TokenUsageError);
    expect(() => parseTokenArgs(['--business', 'a/b'])).toThrow(TokenUsageError);
    expect(() => parseTokenArgs(['--business', 'b', '--ttl', '-5'])).toThrow(TokenUsageError);
  });
});
