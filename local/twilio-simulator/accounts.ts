/**
 * The Account resource and the WhatsApp Senders list, as the admin API's connection test reads them.
 *
 * - `GET /2010-04-01/Accounts/{AccountSid}.json` (HTTP Basic; 401 / 20003 when the token is wrong
 *   or the path names another account): the Account resource with `status` `active` (or the one
 *   configured in `accountStatuses`). Twilio's own answer also carries `auth_token`; the simulator
 *   leaves it out so no secret ever travels back.
 * - `GET /v2/Channels/Senders?Channel=whatsapp[&PageSize=n&Page=p]` (HTTP Basic, the host is
 *   `messaging.twilio.com` at Twilio): the account's WhatsApp senders, each `ONLINE` with
 *   `sender_id` = `whatsapp:+E164`, paged with `meta.next_page_url` like Twilio's v2 lists.
 *   `Channel` is required (400 / 20001 without it); another channel lists nothing.
 */
import { createHash } from 'node:crypto';
import { TwilioApiError } from './errors';

export type AccountStatus = 'active' | 'suspended' | 'closed';

/** Twilio's code for a missing required parameter. */
export const MISSING_PARAMETER = 20001;

/** RFC 2822 in GMT, as the 2010-04-01 API writes dates. */
function rfc2822Of(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace('GMT', '+0000');
}

/** A stable fake SID from a seed: `prefix` + 32 hex digits. */
function sidOf(prefix: string, seed: string): string {
  return prefix + createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

/** The Account resource (2010-04-01 API), without `auth_token`. */
export function accountResource(accountSid: string, status: AccountStatus, createdAt: number): Record<string, unknown> {
  return {
    sid: accountSid,
    owner_account_sid: accountSid,
    friendly_name: `Simulated account ${accountSid.slice(-4)}`,
    status,
    type: 'Full',
    date_created: rfc2822Of(createdAt),
    date_updated: rfc2822Of(createdAt),
    uri: `/2010-04-01/Accounts/${accountSid}.json`,
    subresource_uris: { messages: `/2010-04-01/Accounts/${accountSid}/Messages.json` },
  };
}

/** One page of the Senders list (v2 paging: `meta` with `key`, `page`, `page_size`, `next_page_url`). */
export function sendersPage(
  baseUrl: string,
  accountSid: string,
  numbers: readonly string[],
  query: URLSearchParams,
): Record<string, unknown> {
  const channel = query.get('Channel');
  if (!channel) throw new TwilioApiError(MISSING_PARAMETER, "Missing required parameter Channel in the query", 400);
  const pageSize = Math.min(Math.max(Number(query.get('PageSize')) || 50, 1), 1000);
  const page = Math.max(Number(query.get('Page')) || 0, 0);
  const all = channel.toLowerCase() === 'whatsapp' ? numbers : [];
  const slice = all.slice(page * pageSize, (page + 1) * pageSize);
  const pageUrl = (p: number) => `${baseUrl}/v2/Channels/Senders?Channel=${encodeURIComponent(channel)}&PageSize=${pageSize}&Page=${p}`;
  return {
    senders: slice.map((number) => {
      const sid = sidOf('XE', `${accountSid}:${number}`);
      return {
        sid,
        status: 'ONLINE',
        sender_id: `whatsapp:${number}`,
        configuration: { waba_id: null, verification_method: null, verification_code: null, voice_application_sid: null },
        webhook: null,
        profile: { name: null },
        properties: { quality_rating: 'HIGH', messaging_limit: '1K Customers/24hr' },
        offline_reasons: null,
        url: `${baseUrl}/v2/Channels/Senders/${sid}`,
      };
    }),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: (page + 1) * pageSize < all.length ? pageUrl(page + 1) : null,
      key: 'senders',
    },
  };
}
