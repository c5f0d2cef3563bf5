import * as z from 'zod';
import { BspUnavailableError, SendFailedError } from '../../../shared/errors';
import type { ConnectionCheck, ConnectionTester, ProviderCredentials, TestTarget } from '../provider';
import { parseTwilioCredentials } from './credentials';
import { callTwilio, joinUrl, type TwilioHttpDeps } from './send/http';

/**
 * The connection test against Twilio, three REST calls (checked against Twilio's docs and the
 * twilio-node 6 SDK):
 *
 * 1. Credentials: `GET https://api.twilio.com/2010-04-01/Accounts/{AccountSid}.json` with HTTP Basic
 *    (SID + auth token). 401 / code 20003 = wrong token; the Account resource's `status` is
 *    `active`, `suspended` or `closed` (twilio-node `AccountStatus`); only `active` passes.
 * 2. Sender: `GET https://messaging.twilio.com/v2/Channels/Senders?Channel=whatsapp` (the WhatsApp
 *    Senders API; `Channel` is required, pages through `meta.next_page_url`). Each sender has
 *    `sender_id` = `whatsapp:+E164` and a `status` (`ONLINE`, `OFFLINE`, `PENDING_VERIFICATION`,
 *    `VERIFYING`, `ONLINE:UPDATING`, `TWILIO_REVIEW`, `DRAFT`, `STUBBED`, `CREATING`). The number
 *    passes when this account lists it and it is `ONLINE` (or `ONLINE:UPDATING`: still sending).
 *    Why not `IncomingPhoneNumbers`: it lists numbers bought from Twilio, says nothing about
 *    WhatsApp, and misses WhatsApp senders registered on a number hosted elsewhere; the Senders API
 *    is what says "this account may send WhatsApp from this number".
 *    The Twilio Sandbox number (+14155238886) is shared by every account and is never one of its
 *    senders: it passes with a note, since any account may use it with customers who joined.
 * 3. Test message (only when asked): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with
 *    `To`, `From` (`whatsapp:` prefixed) and `Body`, no `StatusCallback` (nothing of ours records
 *    it). Passes when Twilio accepts it (201); WhatsApp's later verdict is not awaited.
 *
 * Failures are classified with the send path's table (`send/errors.ts`): reads use the Content
 * API's rules (any uncertain outcome may simply be asked again), so 429, 5xx and transport errors
 * become `BspUnavailableError` (the admin API answers 502) while 401/404 are a failed check.
 */
export const TWILIO_SANDBOX_NUMBER = '+14155238886';

export interface TwilioConnectionTesterDeps {
  fetch: typeof fetch;
  /** `https://api.twilio.com` in production; the simulator's URL locally. */
  apiBaseUrl: string;
  /** `https://messaging.twilio.com` in production. @default messagingBaseUrlFor(apiBaseUrl) */
  messagingBaseUrl?: string;
  timeoutMs: number;
  now?: () => Date;
  /** Pages of senders read at most (an account with thousands of senders is not our customer). @default 10 */
  maxSenderPages?: number;
}

/**
 * Where the Senders API lives for an API base URL: Twilio's own host for Twilio's API, and the same
 * base otherwise (the local simulator serves every Twilio host on one port).
 * @example messagingBaseUrlFor('https://api.twilio.com') // 'https://messaging.twilio.com'
 * @example messagingBaseUrlFor('http://127.0.0.1:3010') // 'http://127.0.0.1:3010'
 */
export function messagingBaseUrlFor(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  return url.hostname === 'api.twilio.com' ? 'https://messaging.twilio.com' : apiBaseUrl.replace(/\/+$/, '');
}

const accountSchema = z.object({ sid: z.string().optional(), status: z.string() });
const sendersPageSchema = z.object({
  senders: z.array(z.object({ sender_id: z.string().nullish(), status: z.string().nullish() })).default([]),
  meta: z.object({ next_page_url: z.string().nullish() }).nullish(),
});
const createdMessageSchema = z.object({ sid: z.string(), status: z.string().optional() });

const SENDING_STATUSES: ReadonlySet<string> = new Set(['ONLINE', 'ONLINE:UPDATING']);

/**
 * @example
 * const tester = new TwilioConnectionTester({ fetch, apiBaseUrl: 'https://api.twilio.com', timeoutMs: 10_000 });
 * const target = { connectionId, number: { displayNumber: '+5215512345678' }, webhookUrl };
 * const credentials = await tester.checkCredentials({ accountSid, authToken }, target); // { ok: true, detail: … }
 * const sender = await tester.checkSender({ accountSid, authToken }, target);
 */
export class TwilioConnectionTester implements ConnectionTester {
  private readonly http: TwilioHttpDeps;
  private readonly messagingBaseUrl: string;

  constructor(private readonly deps: TwilioConnectionTesterDeps) {
    this.http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now };
    this.messagingBaseUrl = (deps.messagingBaseUrl ?? messagingBaseUrlFor(deps.apiBaseUrl)).replace(/\/+$/, '');
  }

  async checkCredentials(secret: ProviderCredentials, _target: TestTarget): Promise<ConnectionCheck> {
    const credentials = parseTwilioCredentials(secret);
    let body: Record<string, unknown>;
    try {
      ({ body } = await callTwilio(this.http, {
        method: 'GET',
        url: joinUrl(this.deps.apiBaseUrl, `/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}.json`),
        credentials,
        context: { operation: 'content' },
      }));
    } catch (error) {
      return this.failedCheck(error, 'credentials');
    }
    const parsed = accountSchema.safeParse(body);
    if (!parsed.success) throw new BspUnavailableError('Twilio answered the account fetch with an unreadable body');
    const status = parsed.data.status.toLowerCase();
    if (status === 'active') return { ok: true, detail: 'Twilio accepted the Account SID and Auth Token; the account is active.' };
    return {
      ok: false,
      code: `ACCOUNT_${status.toUpperCase()}`,
      detail: `The Twilio account is ${status}: it cannot send messages until Twilio reactivates it.`,
    };
  }

  async checkSender(secret: ProviderCredentials, target: TestTarget): Promise<ConnectionCheck> {
    const credentials = parseTwilioCredentials(secret);
    const number = target.number.displayNumber;
    const wanted = `whatsapp:${number}`;
    let url: string | undefined = `${this.messagingBaseUrl}/v2/Channels/Senders?Channel=whatsapp&PageSize=100`;
    let found: { status: string } | undefined;
    for (let page = 0; url && page < (this.deps.maxSenderPages ?? 10) && !found; page++) {
      let body: Record<string, unknown>;
      try {
        ({ body } = await callTwilio(this.http, { method: 'GET', url, credentials, context: { operation: 'content' } }));
      } catch (error) {
        return this.failedCheck(error, 'sender');
      }
      const parsed = sendersPageSchema.safeParse(body);
      if (!parsed.success) throw new BspUnavailableError('Twilio answered the senders list with an unreadable body');
      const match = parsed.data.senders.find((sender) => sender.sender_id === wanted);
      if (match) found = { status: (match.status ?? 'UNKNOWN').toUpperCase() };
      url = this.sameOrigin(parsed.data.meta?.next_page_url ?? undefined);
    }
    if (found && SENDING_STATUSES.has(found.status)) {
      return { ok: true, detail: 'The number is a WhatsApp sender of this Twilio account and is online.' };
    }
    if (found) {
      return {
        ok: false,
        code: `SENDER_${found.status.replace(/[^A-Z0-9]+/g, '_')}`,
        detail: `The number is a WhatsApp sender of this Twilio account, but its status is ${found.status}: finish its registration in the Twilio console.`,
      };
    }
    if (number === TWILIO_SANDBOX_NUMBER) {
      return {
        ok: true,
        code: 'SANDBOX',
        detail: 'This is the Twilio Sandbox number, shared by every account: only customers who joined your sandbox can be reached.',
      };
    }
    return {
      ok: false,
      code: 'SENDER_NOT_FOUND',
      detail: 'The number is not a WhatsApp sender of this Twilio account: register it under Messaging → Senders → WhatsApp senders.',
    };
  }

  async sendTestMessage(secret: ProviderCredentials, target: TestTarget, to: string, text: string): Promise<ConnectionCheck> {
    const credentials = parseTwilioCredentials(secret);
    const from = target.number.displayNumber;
    try {
      const { body } = await callTwilio(this.http, {
        method: 'POST',
        url: joinUrl(this.deps.apiBaseUrl, `/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`),
        credentials,
        form: new URLSearchParams([
          ['To', `whatsapp:${to}`],
          ['From', `whatsapp:${from}`],
          ['Body', text],
        ]),
        context: { operation: 'message', content: 'text' },
      });
      const parsed = createdMessageSchema.safeParse(body);
      const status = parsed.success ? parsed.data.status?.toLowerCase() : undefined;
      if (status === 'failed' || status === 'undelivered' || status === 'canceled') {
        return { ok: false, code: `STATUS_${status.toUpperCase()}`, detail: 'Twilio created the test message already failed.' };
      }
      return { ok: true, detail: 'Twilio accepted the test message; WhatsApp delivers it in a moment.' };
    } catch (error) {
      // Even "unavailable" is a result here: the credentials and sender were already judged.
      if (error instanceof SendFailedError) return { ok: false, code: error.code, detail: error.reason };
      throw error;
    }
  }

  /** A failed call is a failed check when Twilio gave a verdict, and `BspUnavailableError` when it did not. */
  private failedCheck(error: unknown, step: 'credentials' | 'sender'): ConnectionCheck {
    if (!(error instanceof SendFailedError)) throw error;
    if (error.retryable || error.kind === 'outcome-unknown') {
      throw new BspUnavailableError(`Twilio could not be asked (${error.code})`, { cause: error });
    }
    const status = error.options.httpStatus;
    if (status === 401 || error.code === '20003') {
      return { ok: false, code: error.code, credentialsRejected: true, detail: 'Twilio rejected the Account SID and Auth Token: copy both again from the Twilio console.' };
    }
    if (status === 404 || error.code === '20404') {
      return {
        ok: false,
        code: error.code,
        detail: step === 'credentials' ? 'Twilio has no account with this Account SID.' : 'Twilio could not list the WhatsApp senders of this account.',
      };
    }
    return { ok: false, code: error.code, detail: `Twilio refused the ${step === 'credentials' ? 'account' : 'senders'} check (${error.code}).` };
  }

  /** Credentials go only to the configured host: a next-page link elsewhere is not followed. */
  private sameOrigin(next: string | undefined): string | undefined {
    if (!next) return undefined;
    try {
      return new URL(next).origin === new URL(this.messagingBaseUrl).origin ? next : undefined;
    } catch {
      return undefined;
    }
  }
}
