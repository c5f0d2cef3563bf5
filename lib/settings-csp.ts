/**
 * The settings page's Content-Security-Policy additions for Facebook's JS SDK ("Connect with
 * Facebook", Embedded Signup), on the page only (CloudFront's behaviour for the page path; the
 * local settings site's page responses). Free of CDK imports: the local runtime uses it too.
 *
 * What the SDK needs for `FB.login`: its script from `connect.facebook.net`; the frames it adds to
 * the page (login status and cross-domain messaging) from `www.facebook.com`, `web.facebook.com` and
 * `staticxx.facebook.com`; its requests to `graph.facebook.com` and `www.facebook.com`; and the
 * logging pixel image. The signup window itself is a popup, which a page's CSP does not govern.
 */

/** Directive → sources to add for Facebook's SDK. */
export const FACEBOOK_SDK_CSP: Readonly<Record<string, readonly string[]>> = {
  'script-src': ['https://connect.facebook.net'],
  'frame-src': ['https://www.facebook.com', 'https://web.facebook.com', 'https://staticxx.facebook.com'],
  'connect-src': ['https://graph.facebook.com', 'https://www.facebook.com'],
  'img-src': ['https://www.facebook.com'],
};

/** The origins the SDK's `message` events come from (the signup window's session info). */
export const FACEBOOK_MESSAGE_ORIGINS: readonly string[] = ['https://www.facebook.com', 'https://web.facebook.com'];

/** Where the SDK is loaded from. */
export const FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';

/**
 * `csp` with `additions` appended to their directives (a directive it lacks is added with only
 * them); sources already present are not repeated.
 * @example addCspSources("default-src 'self'; script-src 'self'", { 'script-src': ['https://connect.facebook.net'] })
 * // "default-src 'self'; script-src 'self' https://connect.facebook.net"
 */
export function addCspSources(csp: string, additions: Readonly<Record<string, readonly string[]>>): string {
  const directives = csp
    .split(';')
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((parts) => parts.length > 0);
  for (const [name, sources] of Object.entries(additions)) {
    const directive = directives.find((parts) => parts[0] === name);
    if (directive) directive.push(...sources.filter((source) => !directive.includes(source)));
    else directives.push([name, ...sources]);
  }
  return directives.map((parts) => parts.join(' ')).join('; ');
}
