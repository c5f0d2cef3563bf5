/**
 * Rebuilds the public URL a BSP called, from an API Gateway HTTP API (payload v2) event.
 *
 * Twilio signs the URL exactly as it called it, so this must be byte for byte: the raw path and the
 * raw query string are copied, never parsed and re-encoded (re-encoding turns `'` into `%27`, `+`
 * into `%20` and may reorder parameters: the classic breakages reported against Twilio's own
 * libraries). Only API Gateway HTTP APIs keep `rawPath` and `rawQueryString`; a REST API event does
 * not, which is one reason the webhook sits behind an HTTP API.
 */
import { MalformedRequestError } from '../../shared/errors';

/** The pieces of an API Gateway HTTP API (payload v2) event that the public URL is made of. */
export interface PublicWebhookUrlInput {
  /** `event.rawPath`: includes a stage prefix or an API mapping base path when there is one. */
  rawPath: string;
  /** `event.rawQueryString`, without the `?`; `''` when there is none. */
  rawQueryString: string;
  /** The `host` header, which may carry a port (`127.0.0.1:3000` in local runs). */
  host?: string;
  /** The `x-forwarded-proto` header. */
  forwardedProto?: string;
  /** The `x-forwarded-port` header. */
  forwardedPort?: string;
  /** `event.requestContext.domainName`, used when there is no host header. */
  domainName?: string;
  /**
   * Configured public base URL, e.g. `https://hooks.example.com/wa`. Set it when the URL the BSP
   * calls differs from what the event shows: a custom domain with a base path mapping, a named
   * stage, or a proxy or CDN in front of API Gateway.
   */
  publicBaseUrl?: string;
}

/** The segment every webhook route starts with; whatever comes before it is deployment detail. */
const WEBHOOK_SEGMENT = '/webhook/';

/**
 * The URL the BSP called, byte for byte, as its signature covers it.
 *
 * @example
 * publicWebhookUrl({
 *   rawPath: '/webhook/twilio/conn-1',
 *   rawQueryString: 'm=01HX',
 *   host: 'abc123.execute-api.eu-west-1.amazonaws.com',
 *   forwardedProto: 'https',
 *   forwardedPort: '443',
 * });
 * // 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/twilio/conn-1?m=01HX'
 */
export function publicWebhookUrl(input: PublicWebhookUrlInput): string {
  const query = input.rawQueryString ? `?${input.rawQueryString}` : '';

  if (input.publicBaseUrl) {
    // Behind a custom domain the event's rawPath carries the API mapping key (and a named stage
    // adds its own prefix), while the BSP called the public base URL: keep only the route part,
    // from `/webhook/` on, and put it after the configured base. A base path must therefore not
    // itself contain `/webhook/`. A path without it is kept whole: the signature check then fails
    // closed (403) rather than this guessing at a route.
    const base = input.publicBaseUrl.replace(/\/+$/, '');
    const at = input.rawPath.indexOf(WEBHOOK_SEGMENT);
    const route = at === -1 ? input.rawPath : input.rawPath.slice(at);
    return `${base}${route}${query}`;
  }

  const scheme = schemeOf(input.forwardedProto);
  const host = input.host || input.domainName;
  if (!host) {
    throw new MalformedRequestError('Cannot rebuild the webhook URL: no host header and no domain name');
  }
  return `${scheme}://${authority(host, scheme, firstValue(input.forwardedPort))}${input.rawPath}${query}`;
}

/** Proxies may append to these headers (`https, http`); the first value is what the client used. */
function firstValue(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.trim();
  return first ? first : undefined;
}

function schemeOf(forwardedProto: string | undefined): 'http' | 'https' {
  // API Gateway always terminates TLS; plain http only appears in local runs behind our own gateway.
  return firstValue(forwardedProto)?.toLowerCase() === 'http' ? 'http' : 'https';
}

const DEFAULT_PORT = { http: '80', https: '443' } as const;

/**
 * host[:port] as the BSP wrote it in its request line: a default port is dropped (Twilio signs
 * `https://host/…` for a URL configured without a port), any other port is kept (local runs).
 */
function authority(host: string, scheme: 'http' | 'https', forwardedPort: string | undefined): string {
  // A colon after the closing bracket of an IPv6 literal (or in a name) starts the port.
  const portAt = host.indexOf(':', host.lastIndexOf(']') + 1);
  const name = portAt === -1 ? host : host.slice(0, portAt);
  const port = portAt === -1 ? forwardedPort : host.slice(portAt + 1);
  return port && port !== DEFAULT_PORT[scheme] ? `${name}:${port}` : name;
}
