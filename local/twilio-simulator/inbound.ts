/**
 * Inbound messages the simulator "received" from WhatsApp, and the Message list resource
 * (`GET /2010-04-01/Accounts/{AccountSid}/Messages.json`), pure.
 *
 * Filters as twilio-node 6 sends them: `To`, `From` (exact, with the `whatsapp:` prefix),
 * `DateSent` (that GMT day), `DateSent>` (on or after that day: the pair reads `DateSent>=YYYY-MM-DD`)
 * and `DateSent<` (on or before). Values are `YYYY-MM-DD`; a time part (the SDK sends
 * `YYYY-MM-DDTHH:mm:ssZ`) is ignored, so filtering stays by day. Newest first; `PageSize` 1–1000
 * (default 50); `next_page_uri` carries `Page` and an opaque `PageToken`.
 */
import { TwilioApiError } from './errors';
import { WHATSAPP_PREFIX } from './messages';

/** What `recordInbound` (or `POST /_simulator/inbound`) takes. */
export interface InboundInput {
  accountSid: string;
  /** The customer, `+E164` or `whatsapp:+E164`. */
  from: string;
  /** Our number, `+E164` or `whatsapp:+E164`. */
  to: string;
  body?: string;
  /** Attachments, listed by the Media subresource; with `base64`, the file is served too (see `media.ts`). */
  media?: Array<{ contentType: string; base64?: string }>;
  /** When Twilio received it (epoch ms or ISO text). @default now */
  receivedAt?: number | string;
  messagingServiceSid?: string;
}

export interface StoredInbound {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ sid: string; contentType: string; createdAt: number; bytes?: Buffer }>;
  receivedAt: number;
  messagingServiceSid?: string;
}

/** A message as the list sees it: its resource and the time it sorts and filters by. */
export interface ListableMessage {
  accountSid: string;
  to: string | null;
  from: string | null;
  /** `date_sent`, else `date_created`, epoch ms. */
  at: number;
  resource: Record<string, unknown>;
}

/** Twilio's "Invalid parameter" (20001), as the Senders API answers a missing `Channel`. */
const INVALID_PARAMETER = 20001;

const DATE = /^(\d{4}-\d{2}-\d{2})(T.*)?$/;

function withPrefix(address: string): string {
  return address.startsWith(WHATSAPP_PREFIX) ? address : `${WHATSAPP_PREFIX}${address}`;
}

/** Validates and normalises an inbound record (throws `Error` with a readable message). */
export function normaliseInbound(
  input: InboundInput,
  sids: { next(prefix: string): string },
  now: number,
): StoredInbound {
  if (!input || typeof input !== 'object') throw new Error('an inbound message needs accountSid, from and to');
  for (const key of ['accountSid', 'from', 'to'] as const) {
    if (typeof input[key] !== 'string' || input[key] === '') throw new Error(`inbound message: ${key} is required`);
  }
  const receivedAt = input.receivedAt === undefined ? now : typeof input.receivedAt === 'number' ? input.receivedAt : Date.parse(input.receivedAt);
  if (!Number.isFinite(receivedAt)) throw new Error('inbound message: receivedAt is not a time');
  const media = (input.media ?? []).map((item) => {
    if (!item || typeof item.contentType !== 'string' || item.contentType === '') throw new Error('inbound message: every media item needs a contentType');
    return {
      sid: sids.next('ME'),
      contentType: item.contentType,
      createdAt: receivedAt,
      ...(typeof item.base64 === 'string' && { bytes: Buffer.from(item.base64, 'base64') }),
    };
  });
  const stored: StoredInbound = {
    sid: sids.next(media.length > 0 ? 'MM' : 'SM'),
    accountSid: input.accountSid,
    from: withPrefix(input.from),
    to: withPrefix(input.to),
    body: input.body ?? '',
    media,
    receivedAt,
  };
  if (input.messagingServiceSid) stored.messagingServiceSid = input.messagingServiceSid;
  return stored;
}

/** The Message resource of an inbound message, as Twilio answers it. */
export function inboundResource(message: StoredInbound, rfc2822: (epochMs: number) => string): Record<string, unknown> {
  const base = `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: rfc2822(message.receivedAt),
    date_sent: rfc2822(message.receivedAt),
    date_updated: rfc2822(message.receivedAt),
    direction: 'inbound',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid ?? null,
    num_media: String(message.media.length),
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: 'received',
    subresource_uris: { media: `${base}/Media.json` },
    to: message.to,
    uri: `${base}.json`,
  };
}

/** The Media list of an inbound message (`media_list`, one page). */
export function mediaListPage(message: StoredInbound, rfc2822: (epochMs: number) => string): Record<string, unknown> {
  const base = `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Media`;
  return {
    media_list: message.media.map((item) => ({
      account_sid: message.accountSid,
      content_type: item.contentType,
      date_created: rfc2822(item.createdAt),
      date_updated: rfc2822(item.createdAt),
      parent_sid: message.sid,
      sid: item.sid,
      uri: `${base}/${item.sid}.json`,
    })),
    end: Math.max(0, message.media.length - 1),
    first_page_uri: `${base}.json?PageSize=50&Page=0`,
    next_page_uri: null,
    page: 0,
    page_size: 50,
    previous_page_uri: null,
    start: 0,
    uri: `${base}.json?PageSize=50&Page=0`,
  };
}

function dayOf(value: string, name: string): string {
  const match = DATE.exec(value);
  if (!match) throw new TwilioApiError(INVALID_PARAMETER, `${name} must be a date (YYYY-MM-DD)`, 400);
  return match[1]!;
}

/**
 * One page of the Message list for `accountSid`, filtered and newest first.
 * @example listMessagesPage(all, 'AC…', new URLSearchParams('To=whatsapp%3A%2B14155238886&DateSent%3E=2026-11-27'))
 */
export function listMessagesPage(messages: ListableMessage[], accountSid: string, query: URLSearchParams): Record<string, unknown> {
  const to = query.get('To');
  const from = query.get('From');
  const on = query.get('DateSent');
  const after = query.get('DateSent>');
  const before = query.get('DateSent<');
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  const filters: Array<(message: ListableMessage) => boolean> = [(message) => message.accountSid === accountSid];
  if (to) filters.push((message) => message.to === to);
  if (from) filters.push((message) => message.from === from);
  if (on) {
    const wanted = dayOf(on, 'DateSent');
    filters.push((message) => day(message.at) === wanted);
  }
  if (after) {
    const wanted = dayOf(after, 'DateSent>');
    filters.push((message) => day(message.at) >= wanted);
  }
  if (before) {
    const wanted = dayOf(before, 'DateSent<');
    filters.push((message) => day(message.at) <= wanted);
  }
  const rawSize = query.get('PageSize');
  const pageSize = rawSize === null ? 50 : Number(rawSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new TwilioApiError(INVALID_PARAMETER, 'PageSize must be between 1 and 1000', 400);
  }
  const token = query.get('PageToken');
  const offset = token && /^PA\d+$/.test(token) ? Number(token.slice(2)) : 0;
  const page = Number(query.get('Page') ?? 0) || 0;

  const matching = messages.filter((message) => filters.every((keep) => keep(message))).sort((a, b) => b.at - a.at);
  const slice = matching.slice(offset, offset + pageSize);
  const base = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const pageUri = (pageNumber: number, pageOffset?: number): string => {
    const params = new URLSearchParams();
    for (const [key, value] of query) if (key !== 'Page' && key !== 'PageToken' && key !== 'PageSize') params.append(key, value);
    params.set('PageSize', String(pageSize));
    params.set('Page', String(pageNumber));
    if (pageOffset !== undefined) params.set('PageToken', `PA${pageOffset}`);
    return `${base}?${params.toString()}`;
  };
  const hasNext = offset + pageSize < matching.length;
  return {
    end: offset + Math.max(0, slice.length - 1),
    first_page_uri: pageUri(0),
    messages: slice.map((message) => message.resource),
    next_page_uri: hasNext ? pageUri(page + 1, offset + pageSize) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1, Math.max(0, offset - pageSize)) : null,
    start: offset,
    uri: pageUri(page, token ? offset : undefined),
  };
}
