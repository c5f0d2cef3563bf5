/**
 * What CloudFront and Cognito serve in AWS, served by the local gateway on its own port: the
 * settings page (`web/`, built with esbuild when the runtime starts), its `config.json`, and the
 * local OIDC issuer's discovery document and JWKS. Same origin as the admin API, as behind
 * CloudFront, so the page needs no CORS.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { addCspSources } from '../lib/settings-csp';
import type { HttpResult } from './gateway';
import { LOCAL_ISSUER_PATH, type LocalOidcIssuer } from './oidc';

export interface SettingsSite {
  /** The answer for a GET path, or `undefined` when the path is not the site's. */
  serve(path: string): HttpResult | undefined;
  /** Where the built page is, or `undefined` when `web/build.ts` could not build it. */
  directory?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The headers CloudFront's response headers policy adds in AWS. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** `metaSignup` of `config.json` ("Connect with Facebook" against the Meta simulator). */
export interface LocalMetaSignup {
  appId: string;
  configId: string;
  /** The simulator's stand-in for Facebook's SDK. */
  sdkUrl: string;
  /** The simulator's origin: its signup window posts the session event from there. */
  messageOrigins: string[];
  graphVersion: string;
}

function respond(statusCode: number, contentType: string, body: Buffer | string, extra: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  };
}

/** Page paths (no extension) that render the single-page settings app. */
const PAGE_PATHS = /^\/settings(\/whatsapp)?\/?$/;

/**
 * The CSP source of the presigned links to the media bucket in moto: path-style under moto's
 * endpoint, so the path limits it to that bucket (moto serves every service on one origin).
 * @example localMediaSource('http://127.0.0.1:5000', 'echo-whatsapp-media-123456789012-us-east-1')
 * // 'http://127.0.0.1:5000/echo-whatsapp-media-123456789012-us-east-1/'
 */
export function localMediaSource(motoEndpoint: string, bucket: string): string {
  return `${new URL(motoEndpoint).origin}/${encodeURIComponent(bucket)}/`;
}

/**
 * Builds the page into a fresh temporary folder and returns the site.
 * @example
 * const site = createSettingsSite({ oidc });
 * site.serve('/settings/whatsapp')?.statusCode // 200
 */
export function createSettingsSite(options: {
  oidc: LocalOidcIssuer;
  log?: (line: string) => void;
  metaSignup?: LocalMetaSignup;
  /** CSP sources of the presigned media links (moto's media bucket: {@link localMediaSource}), for images and players. */
  mediaSources?: string[];
}): SettingsSite {
  const { oidc } = options;
  let directory: string | undefined;
  try {
    // Loaded lazily: the web build is the only part of the runtime that needs esbuild.
    const { buildWeb } = require('../web/build') as { buildWeb: (outDir: string) => void };
    directory = mkdtempSync(join(tmpdir(), 'echo-web-'));
    buildWeb(directory);
  } catch (error) {
    directory = undefined;
    options.log?.(`note: the settings page could not be built (web/build.ts): ${(error as Error)?.message ?? String(error)}`);
  }
  const config = {
    apiBaseUrl: '',
    businessClaim: oidc.businessClaim,
    // Locally the token arrives in the URL fragment (`npm run token`, or the URL `npm run dev` prints).
    auth: { type: 'token' },
    ...(options.metaSignup && { metaSignup: options.metaSignup }),
  };
  // As CloudFront does for the page path only: the page may load the (simulated) Facebook SDK.
  // Received photos and voice notes come from moto's media bucket (CloudFront's policy: the bucket's host).
  const media: Record<string, string[]> = options.mediaSources?.length ? { 'img-src': options.mediaSources, 'media-src': options.mediaSources } : {};
  const pageHeaders: Record<string, string> =
    options.metaSignup || options.mediaSources?.length
      ? {
          'content-security-policy': addCspSources(SECURITY_HEADERS['content-security-policy'], {
            ...(options.metaSignup && { 'script-src': [new URL(options.metaSignup.sdkUrl).origin] }),
            ...media,
          }),
        }
      : {};

  return {
    directory,
    serve(path) {
      if (path === '/') return respond(302, 'text/plain; charset=utf-8', '', { location: '/settings/whatsapp' });
      if (path === `${LOCAL_ISSUER_PATH}/.well-known/openid-configuration`) {
        return respond(200, 'application/json', JSON.stringify(oidc.discovery));
      }
      if (path === `${LOCAL_ISSUER_PATH}/jwks.json`) return respond(200, 'application/json', JSON.stringify(oidc.jwks));
      if (!path.startsWith('/settings')) return undefined;
      if (path === '/settings/config.json') return respond(200, 'application/json', JSON.stringify(config));
      if (!directory) return respond(503, 'text/plain; charset=utf-8', 'the settings page is not built: see the runtime log');
      const page = PAGE_PATHS.test(path);
      const file = page ? 'index.html' : path.slice('/settings/'.length);
      // Only plain file names of the build: no folders, no way out of it.
      if (!/^[\w.-]+$/.test(file) || file.startsWith('.')) return respond(404, 'text/plain; charset=utf-8', 'Not Found');
      const full = join(directory, file);
      if (!existsSync(full)) return respond(404, 'text/plain; charset=utf-8', 'Not Found');
      return respond(200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(full), page ? pageHeaders : {});
    },
  };
}
