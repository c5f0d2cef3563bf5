import * as z from 'zod';
import type { InboundListing, InboundMessageSource, ListedInboundMessage } from '../../../domain/reconcile-inbound';
import type { InboundMessage } from '../../../domain/message';
import { BspUnavailableError } from '../../../shared/errors';
import type { TwilioCredentials } from './credentials';
import { parseTwilioInbound } from './inbound';
import { callTwilio, joinUrl, type TwilioHttpDeps } from './send/http';

/**
 * The reconciler's view of Twilio: the inbound WhatsApp messages an account received on one number,
 * from the Message list resource (checked against twilio-node 6.2 `api/v2010/account/message` and
 * `…/message/media`):
 *
 * `GET /2010-04-01/Accounts/{AccountSid}/Messages.json?To=whatsapp:+E164&DateSent>=YYYY-MM-DD&PageSize=N`
 * - `To` filters on the recipient (our number, with its `whatsapp:` prefix).
 * - The filter's parameter name is `DateSent>` and its value a GMT date, so the pair reads
 *   `DateSent>=YYYY-MM-DD`: "sent on or after that day" (twilio-node documents the three forms
 *   `YYYY-MM-DD`, `<=YYYY-MM-DD`, `>=YYYY-MM-DD`). A day, not an instant: we ask from the UTC day
 *   the window starts on, and the domain drops what lies outside the window.
 * - Newest first, `PageSize` ≤ 1000, next page through `next_page_uri` (a path on the same host);
 *   the list is under `messages`. Paging stops at the first page whose messages are all older than
 *   the window, or after `maxPages`.
 * - Only `direction: inbound` counts (the number's own outbound messages are `outbound-*`), and not
 *   while `status` is `receiving` (the next run sees it `received`).
 *
 * Mapping: a Message resource is turned into the webhook's own form fields (`MessageSid`,
 * `AccountSid`, `From`, `To`, `Body`, `NumMedia`, `MediaUrl{N}`, `MediaContentType{N}`) and parsed by
 * `parseTwilioInbound`, so a reconciled message is normalised exactly like a delivered one. What
 * the resource does not carry is lost: `ProfileName`, `WaId`, `ButtonPayload`/`ListId` (a missed
 * button or list reply arrives as text, its body the title the customer saw), location fields,
 * replied-to and referral data. The conversation keeps the name an earlier webhook stored.
 *
 * Media: for `num_media > 0` the Media list is read (`GET …/Messages/{Sid}/Media.json`, items under
 * `media_list`, each `content_type` and `uri`), only for messages we do not have, and each item
 * becomes the URL the webhook would have sent (`https://api.twilio.com` + its `uri` without
 * `.json`), so media messages keep their kind and stay downloadable like delivered ones. If that
 * read fails, the message fails this run and is tried again next run.
 *
 * Errors are classified by the send path's table as reads (`operation: 'content'`: any uncertain
 * outcome may be asked again), and thrown as `SendFailedError`; an unreadable 2xx body is a
 * `BspUnavailableError`.
 */
export interface TwilioInboundListerDeps {
  fetch: typeof fetch;
  /** `https://api.twilio.com` in production; the simulator's URL locally. */
  apiBaseUrl: string;
  timeoutMs: number;
  now?: () => Date;
  /** @default 200 */
  pageSize?: number;
  /** Pages read at most per connection and run. @default 10 */
  maxPages?: number;
}

const WHATSAPP_PREFIX = 'whatsapp:';

const messageResourceSchema = z.object({
  sid: z.string().min(1),
  account_sid: z.string().min(1),
  from: z.string().nullish(),
  to: z.string().nullish(),
  body: z.string().nullish(),
  num_media: z.union([z.string(), z.number()]).nullish(),
  direction: z.string().nullish(),
  status: z.string().nullish(),
  date_sent: z.string().nullish(),
  date_created: z.string().nullish(),
  messaging_service_sid: z.string().nullish(),
});
export type TwilioMessageResource = z.infer<typeof messageResourceSchema>;

const messagePageSchema = z.object({
  messages: z.array(z.unknown()).default([]),
  next_page_uri: z.string().nullish(),
});

const mediaPageSchema = z.object({
  media_list: z.array(z.object({ content_type: z.string().nullish(), uri: z.string().min(1) })).default([]),
});

/** `YYYY-MM-DD` of an instant, in GMT, as `DateSent` takes it. */
export function twilioDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * When Twilio received a message: `date_sent` (RFC 2822; for an inbound message the time Twilio
 * handled it), else `date_created`. `undefined` when neither is a date.
 * @example twilioReceivedAt({ date_sent: 'Fri, 27 Nov 2026 10:00:00 +0000' }) // 2026-11-27T10:00:00.000Z
 */
export function twilioReceivedAt(resource: Pick<TwilioMessageResource, 'date_sent' | 'date_created'>): Date | undefined {
  for (const value of [resource.date_sent, resource.date_created]) {
    if (!value) continue;
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return new Date(at);
  }
  return undefined;
}

/**
 * The webhook fields a Message resource stands for (see the module comment for what is lost).
 * @example
 * webhookFieldsOf({ sid: 'SM1', account_sid: 'AC1', from: 'whatsapp:+5215512345678', to: 'whatsapp:+14155238886', body: 'Hola', num_media: '0' })
 * // { MessageSid: 'SM1', AccountSid: 'AC1', From: 'whatsapp:+5215512345678', To: 'whatsapp:+14155238886', Body: 'Hola', NumMedia: '0' }
 */
export function webhookFieldsOf(
  resource: TwilioMessageResource,
  media: Array<{ url: string; contentType?: string }> = [],
): Record<string, string> {
  const fields: Record<string, string> = {
    MessageSid: resource.sid,
    AccountSid: resource.account_sid,
    From: resource.from ?? '',
    To: resource.to ?? '',
    Body: resource.body ?? '',
    NumMedia: String(numMediaOf(resource)),
  };
  if (resource.messaging_service_sid) fields.MessagingServiceSid = resource.messaging_service_sid;
  media.forEach((item, i) => {
    fields[`MediaUrl${i}`] = item.url;
    if (item.contentType) fields[`MediaContentType${i}`] = item.contentType;
  });
  return fields;
}

function numMediaOf(resource: TwilioMessageResource): number {
  const value = Number(resource.num_media ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/**
 * Lists a connection's inbound WhatsApp messages from Twilio (see the module comment).
 * @example
 * const lister = new TwilioInboundLister({ fetch, apiBaseUrl: 'https://api.twilio.com', timeoutMs: 10_000 });
 * const source = lister.sourceFor(credentials, '+14155238886');
 * const { messages } = await source.list({ since, until });
 */
export class TwilioInboundLister {
  private readonly http: TwilioHttpDeps;

  constructor(private readonly deps: TwilioInboundListerDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
  }

  /** The domain's `InboundMessageSource` for one connection. */
  sourceFor(credentials: TwilioCredentials, number: string): InboundMessageSource {
    return { list: (window) => this.list(credentials, number, window) };
  }

  async list(credentials: TwilioCredentials, number: string, window: { since: Date; until: Date }): Promise<InboundListing> {
    const to = `${WHATSAPP_PREFIX}${number}`;
    const query = new URLSearchParams([
      ['To', to],
      ['DateSent>', twilioDate(window.since)],
      ['PageSize', String(this.deps.pageSize ?? 200)],
    ]);
    let url: string | undefined = joinUrl(this.deps.apiBaseUrl, `${this.messagesPath(credentials)}.json?${query.toString()}`);
    const messages: ListedInboundMessage[] = [];
    const maxPages = this.deps.maxPages ?? 10;
    let pages = 0;
    while (url && pages < maxPages) {
      pages += 1;
      const { body } = await callTwilio(this.http, { method: 'GET', url, credentials, context: { operation: 'content' } });
      const page = messagePageSchema.safeParse(body);
      if (!page.success) throw new BspUnavailableError('Twilio answered the message list with an unreadable body');
      let newerOnPage = false;
      for (const item of page.data.messages) {
        const parsed = messageResourceSchema.safeParse(item);
        if (!parsed.success) continue;
        const resource = parsed.data;
        const receivedAt = twilioReceivedAt(resource);
        if (receivedAt && receivedAt.getTime() >= window.since.getTime()) newerOnPage = true;
        if (!receivedAt || !this.isInboundTo(resource, to, credentials)) continue;
        messages.push({ externalId: resource.sid, receivedAt, load: () => this.load(credentials, resource) });
      }
      // Newest first: once a whole page is older than the window, so is everything after it.
      url = newerOnPage ? this.nextUrl(page.data.next_page_uri ?? undefined) : undefined;
    }
    return { messages, complete: url === undefined };
  }

  private isInboundTo(resource: TwilioMessageResource, to: string, credentials: TwilioCredentials): boolean {
    return (
      resource.direction === 'inbound' &&
      resource.status !== 'receiving' &&
      resource.to === to &&
      resource.account_sid === credentials.accountSid &&
      (resource.from ?? '').startsWith(WHATSAPP_PREFIX)
    );
  }

  private async load(credentials: TwilioCredentials, resource: TwilioMessageResource): Promise<InboundMessage> {
    const media = numMediaOf(resource) > 0 ? await this.mediaOf(credentials, resource.sid) : [];
    return parseTwilioInbound(webhookFieldsOf(resource, media));
  }

  private async mediaOf(credentials: TwilioCredentials, messageSid: string): Promise<Array<{ url: string; contentType?: string }>> {
    const url = joinUrl(this.deps.apiBaseUrl, `${this.messagesPath(credentials)}/${encodeURIComponent(messageSid)}/Media.json`);
    const { body } = await callTwilio(this.http, { method: 'GET', url, credentials, context: { operation: 'content' } });
    const page = mediaPageSchema.safeParse(body);
    if (!page.success) throw new BspUnavailableError('Twilio answered the media list with an unreadable body');
    return page.data.media_list.map((item) => ({
      url: joinUrl(this.deps.apiBaseUrl, item.uri.replace(/\.json$/, '')),
      ...(item.content_type && { contentType: item.content_type }),
    }));
  }

  private messagesPath(credentials: TwilioCredentials): string {
    return `/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages`;
  }

  /** Credentials go only to the configured host: `next_page_uri` must be a path on it. */
  private nextUrl(uri: string | undefined): string | undefined {
    if (!uri || !uri.startsWith('/') || uri.startsWith('//')) return undefined;
    return joinUrl(this.deps.apiBaseUrl, uri);
  }
}
