/**
 * The payload archive: every webhook request we accepted and every request we sent to a BSP, with
 * its answer, kept as one JSON object each under a per-business prefix. It is the audit log and
 * the source of an idempotent replay (`npm run ops -- replay`).
 *
 * Key layout (business first, then connection, then time, so that one business's records, one
 * connection's records and one time window are each a cheap prefix listing, and keys sort by time):
 *
 * - `inbound/<businessId>/<connectionId>/<yyyy>/<mm>/<dd>/<hh>/<receivedAt ISO>-<requestId>.json`
 * - `outbound/<businessId>/<connectionId>/<yyyy>/<mm>/<dd>/<hh>/<at ISO>-<messageId>.json`
 *
 * Pure: no AWS import. The S3 adapter is `lambdas/adapters/s3-payload-archive.ts`.
 */
import * as z from 'zod';
import type { WebhookRoute } from './bsp';
import { providerNameSchema, type ProviderName } from './providers';

/** The two halves of the archive, and the first segment of every key. */
export type ArchiveDirection = 'inbound' | 'outbound';

/** Bumped when a record's meaning changes; readers accept every version they know. */
export const ARCHIVE_RECORD_VERSION = 1;

/**
 * A webhook request as we accepted it: enough to verify its signature again and to push it through
 * the webhook's own path (replay). Never an Authorization header, never our 360dialog token: only
 * `tokenMatched`.
 */
export interface ArchivedWebhookRequest {
  v: typeof ARCHIVE_RECORD_VERSION;
  direction: 'inbound';
  provider: ProviderName;
  businessId: string;
  connectionId: string;
  route: WebhookRoute;
  method: string;
  /** ISO time the webhook received it. */
  receivedAt: string;
  /** API Gateway's request id. */
  requestId: string;
  /** The public URL the BSP called, as the webhook rebuilt it (what Twilio signs). */
  url: string;
  /** The event's `rawPath` and `rawQueryString`, from which the URL is rebuilt on replay. */
  rawPath: string;
  rawQueryString: string;
  /** `requestContext.domainName`, the host fallback of the URL rebuild. */
  domainName?: string;
  /** Only the headers a signature check or the URL rebuild reads (see {@link archivableHeaders}). */
  headers: Record<string, string>;
  /** A BSP that authenticates with our secret header (360dialog): it matched. Its value is not kept. */
  tokenMatched?: boolean;
  /** The body exactly as signed (decoded from base64 when API Gateway encoded it). */
  rawBody: string;
}

/** One HTTP call to a BSP and its answer, with credentials removed (see {@link redactBspUrl}). */
export interface BspExchange {
  method: string;
  /** Without userinfo; access tokens in the query masked. */
  url: string;
  /** Only `content-type` and `accept`: every other request header may carry a credential. */
  requestHeaders: Record<string, string>;
  requestBody?: string;
  /** Absent when the call failed before an answer (see `error`). */
  status?: number;
  responseBody?: string;
  durationMs: number;
  /** Why there is no answer or no readable body (`TIMEOUT`, `ECONNRESET`…): a code, never a message with data. */
  error?: string;
}

/** What one send (one message part, one attempt) exchanged with its BSP. */
export interface ArchivedBspExchanges {
  v: typeof ARCHIVE_RECORD_VERSION;
  direction: 'outbound';
  provider: ProviderName;
  businessId: string;
  connectionId: string;
  conversationId: string;
  messageId: string;
  /** ISO time the send started. */
  at: string;
  /** `accepted` with the BSP's id, or the classified failure (`permanent:63016`). */
  outcome: string;
  exchanges: BspExchange[];
}

export type ArchiveRecord = ArchivedWebhookRequest | ArchivedBspExchanges;

const headersSchema = z.record(z.string(), z.string());

/** Reads an archived object back; unknown versions and shapes are refused, not guessed at. */
export const archiveRecordSchema = z.discriminatedUnion('direction', [
  z.object({
    v: z.literal(ARCHIVE_RECORD_VERSION),
    direction: z.literal('inbound'),
    provider: providerNameSchema,
    businessId: z.string().min(1),
    connectionId: z.string().min(1),
    route: z.enum(['inbound', 'status', 'fallback']),
    method: z.string().min(1),
    receivedAt: z.string().min(1),
    requestId: z.string(),
    url: z.string().min(1),
    rawPath: z.string().min(1),
    rawQueryString: z.string(),
    domainName: z.string().optional(),
    headers: headersSchema,
    tokenMatched: z.boolean().optional(),
    rawBody: z.string(),
  }),
  z.object({
    v: z.literal(ARCHIVE_RECORD_VERSION),
    direction: z.literal('outbound'),
    provider: providerNameSchema,
    businessId: z.string().min(1),
    connectionId: z.string().min(1),
    conversationId: z.string().min(1),
    messageId: z.string().min(1),
    at: z.string().min(1),
    outcome: z.string(),
    exchanges: z.array(
      z.object({
        method: z.string(),
        url: z.string(),
        requestHeaders: headersSchema,
        requestBody: z.string().optional(),
        status: z.number().optional(),
        responseBody: z.string().optional(),
        durationMs: z.number(),
        error: z.string().optional(),
      }),
    ),
  }),
]);

/** Writes archive records. Implementations throw on failure; callers decide that it must not fail their work. */
export interface PayloadArchive {
  put(record: ArchiveRecord): Promise<void>;
}

/** Lists and reads archive records (replay, audit). */
export interface PayloadArchiveReader {
  /** Keys of one direction's records of a business (one connection, or all), received in `[from, to]`, in time order. */
  list(query: ArchiveQuery): AsyncIterable<string>;
  get(key: string): Promise<ArchiveRecord>;
}

export interface ArchiveQuery {
  direction: ArchiveDirection;
  businessId: string;
  /** Absent: every connection of the business. */
  connectionId?: string;
  from: Date;
  to: Date;
}

/**
 * A key segment: ids are plain alphanumerics already (`SAFE_ID`), but a business id comes from a
 * JWT claim, and a `/` in it must never open another business's prefix.
 */
function segment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*~.]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `yyyy/mm/dd/hh` of an instant, UTC. */
function hourPath(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}`;
}

/**
 * The prefix of one business's records of one direction, or of one of its connections.
 * @example archivePrefix('inbound', 'biz_1', 'cn_1') // 'inbound/biz_1/cn_1/'
 */
export function archivePrefix(direction: ArchiveDirection, businessId: string, connectionId?: string): string {
  return `${direction}/${segment(businessId)}/${connectionId === undefined ? '' : `${segment(connectionId)}/`}`;
}

/**
 * Where a record is stored. Time in the key (hour folders, then the ISO instant) makes keys of one
 * connection sort by time, so a window is one listing that starts after {@link archiveKeyLowerBound}.
 * @example
 * archiveKeyOf({ direction: 'inbound', businessId: 'b', connectionId: 'c', receivedAt: '2026-03-01T10:04:05.006Z', requestId: 'r=1', … })
 * // 'inbound/b/c/2026/03/01/10/2026-03-01T10:04:05.006Z-r%3D1.json'
 */
export function archiveKeyOf(record: ArchiveRecord): string {
  const at = new Date(record.direction === 'inbound' ? record.receivedAt : record.at);
  const id = record.direction === 'inbound' ? record.requestId || 'no-request-id' : record.messageId;
  return `${archivePrefix(record.direction, record.businessId, record.connectionId)}${hourPath(at)}/${at.toISOString()}-${segment(id)}.json`;
}

/** A key every record of `[from, …]` under `prefix` sorts after (S3 `StartAfter`). */
export function archiveKeyLowerBound(prefix: string, from: Date): string {
  // '-' sorts before every digit, so the bound precedes even a record at exactly `from`.
  return `${prefix}${hourPath(from)}/${new Date(from.getTime() - 1).toISOString()}~`;
}

/**
 * The instant a key was stored under (the ISO time in its file name), or undefined for a key that is
 * not an archive key. Listing stops at the first key past the window.
 */
export function archiveKeyTime(key: string): Date | undefined {
  const match = /\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)-[^/]*\.json$/.exec(key);
  return match ? new Date(match[1]!) : undefined;
}

/** Headers a signature check or the URL rebuild reads, per BSP (lower-case names, as `WebhookRequest` has them). */
const VERIFY_HEADERS: Record<ProviderName, readonly string[]> = {
  twilio: ['x-twilio-signature'],
  meta: ['x-hub-signature-256'],
  // 360dialog authenticates with our own secret header: its value is never archived.
  '360dialog': [],
};
const URL_HEADERS = ['host', 'x-forwarded-proto', 'x-forwarded-port', 'content-type'];

/**
 * The headers of a webhook request worth archiving: the BSP's signature (an HMAC, not a secret) and
 * what the public URL is rebuilt from. Everything else (Authorization, our 360dialog token, cookies)
 * stays out.
 * @example archivableHeaders('meta', { 'x-hub-signature-256': 'sha256=ab', authorization: 'x' }) // { 'x-hub-signature-256': 'sha256=ab' }
 */
export function archivableHeaders(provider: ProviderName, headers: Record<string, string | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of [...VERIFY_HEADERS[provider], ...URL_HEADERS]) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/**
 * Query parameters that carry a credential, or a value derived from one, in some BSP URL (Graph
 * media and paging links; Meta's `appsecret_proof`, an HMAC of the access token).
 */
const SECRET_QUERY_PARAMETERS = /^(access_token|token|api_key|apikey|key|signature|sig|appsecret_proof)$/i;

/**
 * A BSP URL fit for the archive: userinfo removed, credential-bearing query parameters masked.
 * @example redactBspUrl('https://AC1:tok@api.twilio.com/x?access_token=abc&b=1') // 'https://api.twilio.com/x?access_token=***&b=1'
 */
export function redactBspUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  parsed.username = '';
  parsed.password = '';
  // Re-serialised only when something is masked: otherwise the query stays as it was sent.
  const secrets = [...parsed.searchParams.keys()].filter((name) => SECRET_QUERY_PARAMETERS.test(name));
  for (const name of secrets) parsed.searchParams.set(name, '***');
  return parsed.toString();
}

/** Request headers kept on an exchange: none of them can carry a credential. */
const SAFE_REQUEST_HEADERS = new Set(['content-type', 'accept']);

/**
 * One BSP call as the archive keeps it, from what the HTTP layer saw. Headers are allow-listed (so
 * `Authorization`, `D360-API-KEY` and any new auth header stay out), the URL is redacted.
 * @example
 * bspExchangeOf({ method: 'POST', url, headers: { Authorization: 'Basic …', 'Content-Type': 'application/json' }, body, status: 201, responseBody, durationMs: 84 })
 * // { method: 'POST', url, requestHeaders: { 'content-type': 'application/json' }, requestBody: body, status: 201, … }
 */
export function bspExchangeOf(call: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  status?: number;
  responseBody?: string;
  durationMs: number;
  error?: string;
}): BspExchange {
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (SAFE_REQUEST_HEADERS.has(name.toLowerCase())) requestHeaders[name.toLowerCase()] = value;
  }
  return {
    method: call.method,
    url: redactBspUrl(call.url),
    requestHeaders,
    ...(call.body !== undefined && { requestBody: call.body }),
    ...(call.status !== undefined && { status: call.status }),
    ...(call.responseBody !== undefined && { responseBody: call.responseBody }),
    durationMs: Math.round(call.durationMs),
    ...(call.error !== undefined && { error: call.error }),
  };
}

/**
 * The archive record of an accepted webhook request.
 * @example
 * archivedWebhookRequestOf({ provider: 'meta', connection, request, receivedAt: now, requestId, rawPath, rawQueryString: '' })
 */
export function archivedWebhookRequestOf(input: {
  provider: ProviderName;
  connection: { businessId: string; connectionId: string };
  request: { method: string; route: WebhookRoute; url: string; headers: Record<string, string | undefined>; rawBody: string };
  receivedAt: Date;
  requestId: string;
  rawPath: string;
  rawQueryString: string;
  domainName?: string;
}): ArchivedWebhookRequest {
  const { provider, connection, request } = input;
  return {
    v: ARCHIVE_RECORD_VERSION,
    direction: 'inbound',
    provider,
    businessId: connection.businessId,
    connectionId: connection.connectionId,
    route: request.route,
    method: request.method,
    receivedAt: input.receivedAt.toISOString(),
    requestId: input.requestId,
    url: request.url,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(input.domainName !== undefined && { domainName: input.domainName }),
    headers: archivableHeaders(provider, request.headers),
    // No signature header of its own: the request authenticated with our secret header.
    ...(VERIFY_HEADERS[provider].length === 0 && { tokenMatched: true }),
    rawBody: request.rawBody,
  };
}
