/**
 * A `fetch` for URLs that someone else chose (a BSP's webhook names the media URL; a forged webhook
 * could name anything): it goes only to an allow-list of hosts, over https, to public addresses,
 * and it connects to exactly the address it checked.
 *
 * Per hop (the first request and every redirect):
 * 1. the URL has no userinfo (`https://user:pass@host/` would be credentials of its own), is https
 *    on the default port, and its host is on the allow-list (`api.twilio.com`, `*.twiliocdn.com`);
 * 2. the host is resolved here, every address it resolves to is checked (`forbidden-address.ts`:
 *    no loopback, private, link-local, metadata…), and one refused address refuses the host;
 * 3. the connection is made to the checked address (a `lookup` pinned to it; TLS still verifies the
 *    certificate against the host name), so a resolver that answers differently the second time
 *    (DNS rebinding) is never asked a second time.
 *
 * Redirects: `redirect: 'manual'` hands the 3xx to the caller (who then fetches the next hop through
 * this same function); the default `follow` follows at most `maxRedirects` hops, each checked as
 * above, and sends the caller's headers (credentials) only to the origin they were given for.
 *
 * The local runtime's simulators listen on `http://127.0.0.1:<port>`: `allowInsecureLocal` (set only
 * by the local runtime, `MEDIA_ALLOW_INSECURE_LOCAL=1`) permits plain http, any port, and loopback
 * addresses — nothing else (private and metadata addresses stay refused).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { forbiddenAddressReason, forbiddenHostReason, literalAddressOf, UnsafeUrlError } from './forbidden-address';

export { UnsafeUrlError };

export interface SafeFetchPolicy {
  /**
   * Host names a request may go to, first hop and redirects alike: exact (`api.twilio.com`) or a
   * wildcard for subdomains (`*.twiliocdn.com`, which does not match `twiliocdn.com` itself).
   */
  allowedHosts: readonly string[];
  /** Redirects followed with `redirect: 'follow'`. @default 3 */
  maxRedirects?: number;
  /** Local runtime only: plain http, any port and loopback addresses (the simulators). @default false */
  allowInsecureLocal?: boolean;
}

/** One request to send, with the address it must connect to. */
export interface PinnedRequest {
  url: URL;
  /** The checked address: the socket connects here, whatever DNS says by then. */
  address: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface SafeFetchDeps {
  /** Every address a host name resolves to. @default dns.promises.lookup(host, { all: true }) */
  resolve?: (hostname: string) => Promise<string[]>;
  /** Sends one pinned request. @default node:http(s) with a `lookup` that answers `address` */
  transport?: (request: PinnedRequest) => Promise<Response>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Whether `hostname` is on `allowedHosts` (exact, or `*.suffix` for strict subdomains).
 * @example hostAllowed('mms.twiliocdn.com', ['*.twiliocdn.com']) // true
 */
export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  return allowedHosts.some((pattern) => {
    const wanted = pattern.toLowerCase();
    return wanted.startsWith('*.') ? host.endsWith(wanted.slice(1)) && host.length > wanted.length - 1 : host === wanted;
  });
}

/**
 * Checks a URL against the policy without DNS (scheme, port, userinfo, allow-list, the host's own
 * form). Throws `UnsafeUrlError` with the reason.
 * @example assertUrlAllowed(new URL('https://api.twilio.com/x'), { allowedHosts: ['api.twilio.com'] })
 */
export function assertUrlAllowed(url: URL, policy: SafeFetchPolicy): void {
  const local = policy.allowInsecureLocal === true;
  if (url.username || url.password) throw new UnsafeUrlError('the URL carries userinfo');
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) throw new UnsafeUrlError(`the URL is not https (${url.protocol})`);
  if (url.port !== '' && !local) throw new UnsafeUrlError('the URL names a port');
  if (!hostAllowed(url.hostname.replace(/^\[|\]$/g, ''), policy.allowedHosts)) {
    throw new UnsafeUrlError('the host is not on the allow-list');
  }
  const reason = forbiddenHostReason(url.hostname);
  if (reason && !(local && reason === 'loopback')) throw new UnsafeUrlError(`the host is not public (${reason})`);
}

/**
 * The address to connect to: the host's own literal, or the first address it resolves to, after
 * every resolved address passed the rules (one forbidden address refuses the host: a resolver that
 * mixes a public and a private answer is not trusted with either).
 */
export async function checkedAddress(url: URL, policy: SafeFetchPolicy, resolve: (hostname: string) => Promise<string[]>): Promise<string> {
  const literal = literalAddressOf(url.hostname);
  let addresses: string[];
  if (literal !== undefined) {
    addresses = [literal];
  } else {
    try {
      addresses = await resolve(url.hostname);
    } catch (error) {
      // As `fetch` reports a DNS failure: the request never left (not-sent), retry later.
      throw new TypeError('fetch failed', { cause: error });
    }
  }
  if (addresses.length === 0) throw new TypeError('fetch failed', { cause: Object.assign(new Error('no address'), { code: 'ENOTFOUND' }) });
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason && !(policy.allowInsecureLocal === true && reason === 'loopback')) {
      throw new UnsafeUrlError(`the host resolves to a forbidden address (${reason})`);
    }
  }
  return addresses[0]!;
}

async function systemResolve(hostname: string): Promise<string[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

/** node:http(s) to the pinned address; the body streams as the `Response` body. */
export function nodeTransport(request: PinnedRequest): Promise<Response> {
  const { url, address } = request;
  const family = isIP(address);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolvePromise, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        // Answers every lookup with the address that was checked: the rebinding defence.
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
          else callback(null, address, family);
        },
        // TLS checks the certificate against the name we were given, not against the address.
        ...(url.protocol === 'https:' && isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0 && { servername: url.hostname }),
        agent: false,
        ...(request.signal && { signal: request.signal }),
      },
      (res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) value.forEach((item) => headers.append(name, item));
          else if (value !== undefined) headers.set(name, value);
        }
        const status = res.statusCode ?? 502;
        const bodyless = NULL_BODY.has(status) || request.method === 'HEAD';
        if (bodyless) res.resume();
        const body = bodyless ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolvePromise(new Response(body, { status, statusText: res.statusMessage ?? '', headers }));
      },
    );
    req.on('error', (error) => reject(error.name === 'AbortError' ? (request.signal?.reason ?? error) : new TypeError('fetch failed', { cause: error })));
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * A `fetch` that enforces `policy` on every hop (see the module comment). Drop-in for the
 * `fetch` dependency of the media fetchers and the Cloud API client.
 * @example
 * const safe = createSafeFetch({ allowedHosts: ['api.twilio.com', '*.twiliocdn.com'] });
 * const response = await safe('https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…', { headers });
 */
export function createSafeFetch(policy: SafeFetchPolicy, deps: SafeFetchDeps = {}): typeof fetch {
  const resolve = deps.resolve ?? systemResolve;
  const transport = deps.transport ?? nodeTransport;
  const maxRedirects = policy.maxRedirects ?? 3;

  const safeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new UnsafeUrlError('pass a URL, not a Request');
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new UnsafeUrlError('not a URL');
    }
    let method = (init?.method ?? 'GET').toUpperCase();
    let body = typeof init?.body === 'string' ? init.body : undefined;
    if (init?.body !== undefined && init.body !== null && body === undefined) throw new UnsafeUrlError('only string bodies are sent');
    const firstOrigin = url.origin;
    let headers = headersOf(init);
    const signal = init?.signal ?? undefined;

    for (let hop = 0; ; hop++) {
      assertUrlAllowed(url, policy);
      const address = await checkedAddress(url, policy, resolve);
      const response = await transport({ url, address, method, headers, ...(body !== undefined && { body }), ...(signal && { signal }) });
      if (!REDIRECTS.has(response.status) || init?.redirect === 'manual') return response;
      await response.body?.cancel().catch(() => undefined);
      if (init?.redirect === 'error') throw new TypeError('fetch failed', { cause: new Error('redirect refused') });
      if (hop >= maxRedirects) throw new UnsafeUrlError(`more than ${maxRedirects} redirects`);
      const location = response.headers.get('location');
      if (!location) throw new UnsafeUrlError('a redirect without a location');
      const next = new URL(location, url);
      // Credentials (and every other header the caller set) go to the origin they were meant for only.
      if (next.origin !== firstOrigin) headers = {};
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  };
  return safeFetch as typeof fetch;
}
