/**
 * Status callbacks: the form fields Twilio posts for a WhatsApp message and the HTTP client that
 * posts them, signed with `X-Twilio-Signature`.
 *
 * Fields (as captured from real WhatsApp status callbacks; Twilio adds fields without notice):
 * `AccountSid`, `ApiVersion`, `ChannelPrefix`, `ChannelToAddress` (the recipient with its last five
 * digits masked), `From`, `MessageSid`, `MessageStatus`, `SmsSid`, `SmsStatus`, `To`, and on
 * `failed`/`undelivered` `ErrorCode` + `ErrorMessage`; `MessagingServiceSid` when the send used one.
 * No callback is sent for the initial status (`queued`/`accepted`) (docs).
 *
 * Signature: `getExpectedTwilioSignature` from `twilio/lib/webhooks/webhooks` (HMAC-SHA1 with the
 * account's auth token over the StatusCallback URL exactly as given plus the fields sorted by name).
 * Delivery: one attempt per status, 15 s timeout like Twilio's; failures are counted, never retried.
 */
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { ASYNC_ERROR_MESSAGES } from './errors';

export type CallbackStatus = 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';

export interface CallbackMessage {
  sid: string;
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
}

/** `+5215512345678` → `+52155123XXXXX` (the masking seen in `ChannelToAddress`). */
export function maskChannelAddress(address: string): string {
  if (!/^\+[0-9]{7,15}$/.test(address)) return address;
  return address.slice(0, -5) + 'XXXXX';
}

/** The form fields of one status callback. */
export function statusCallbackFields(message: CallbackMessage, status: CallbackStatus, errorCode?: number): Record<string, string> {
  const bareTo = message.to.startsWith('whatsapp:') ? message.to.slice('whatsapp:'.length) : message.to;
  const fields: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: '2010-04-01',
    ChannelPrefix: 'whatsapp',
    ChannelToAddress: maskChannelAddress(bareTo),
    MessageSid: message.sid,
    MessageStatus: status,
    SmsSid: message.sid,
    SmsStatus: status,
    To: message.to,
  };
  // With a Messaging Service and no From, Twilio picks the sender; the simulator reports none.
  if (message.from !== undefined) fields.From = message.from;
  if (message.messagingServiceSid !== undefined) fields.MessagingServiceSid = message.messagingServiceSid;
  if (errorCode !== undefined) {
    fields.ErrorCode = String(errorCode);
    fields.ErrorMessage = ASYNC_ERROR_MESSAGES[errorCode] ?? 'Unknown error';
  }
  return fields;
}

export interface CallbackPosterOptions {
  /** Twilio's total webhook timeout. @default 15000 */
  timeoutMs?: number;
  /** Concurrent connections per callback host. @default 64 */
  maxSockets?: number;
}

/** Posts signed, form-encoded callbacks; resolves `true` on a 2xx answer, `false` otherwise (never rejects). */
export class CallbackPoster {
  private readonly timeoutMs: number;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly inFlight = new Set<ClientRequest>();

  constructor(options: CallbackPosterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
  }

  post(url: string, fields: Record<string, string>, authToken: string): Promise<boolean> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve(false);
        return;
      }
      const body = new URLSearchParams(fields).toString();
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'x-twilio-signature': getExpectedTwilioSignature(authToken, url, fields),
        'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
        'user-agent': 'TwilioProxy/1.1',
        accept: '*/*',
      };
      const isHttps = target.protocol === 'https:';
      const send = isHttps ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(request);
        resolve(ok);
      };
      let answered = false;
      const request = send(target, { method: 'POST', headers, agent: isHttps ? this.httpsAgent : this.httpAgent, timeout: this.timeoutMs }, (response) => {
        const ok = response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;
        response.on('error', () => finish(false));
        response.on('end', () => {
          answered = ok;
          finish(ok);
        });
        response.resume();
      });
      this.inFlight.add(request);
      request.on('timeout', () => request.destroy(new Error('status callback timed out')));
      request.on('error', () => finish(false));
      request.on('close', () => finish(answered));
      request.end(body);
    });
  }

  /** Aborts callbacks in flight and closes idle connections. */
  close(): void {
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
