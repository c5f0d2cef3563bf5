/** Twilio's side of the fake `fetch`: its fixtures and error bodies. */
import type { ProviderCredentials, SendRequest } from '../../../../../lambdas/providers/whatsapp/provider';
import { jsonResponse, type RecordedRequest } from '../../../../support/fake-fetch';

export { fakeFetch, jsonResponse, type FakeFetch, type Handler, type RecordedRequest } from '../../../../support/fake-fetch';

/** Twilio's REST error body. */
export function twilioError(status: number, code: number, message = 'error', headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

/** A 201 from `Messages.json` as Twilio answers it (trimmed to what matters). */
export function messageCreated(sid = `SM${'1'.repeat(32)}`, status = 'queued'): Response {
  return jsonResponse(201, { sid, status, error_code: null, error_message: null, account_sid: ACCOUNT_SID });
}

export function contentCreated(sid: string): Response {
  return jsonResponse(201, { sid, account_sid: ACCOUNT_SID, friendly_name: 'x', language: 'en', types: {} });
}

/** Waits for the request's own abort signal and rejects with its reason, as undici does on timeout. */
export function hangUntilAborted(request: RecordedRequest): Promise<Response> {
  return new Promise((_resolve, reject) => {
    request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
  });
}

/** What undici throws when the socket fails: `TypeError('fetch failed')` with the system error as cause. */
export function socketError(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });
  return new TypeError('fetch failed', { cause });
}

export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const AUTH_TOKEN = 'f'.repeat(32);
export const CREDENTIALS: ProviderCredentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
export const BUSINESS_NUMBER = '+14155238886';
export const CUSTOMER_NUMBER = '+5215512345678';
export const STATUS_CALLBACK = 'https://hooks.example.com/webhook/whatsapp/twilio/conn01/status?c=cv01&m=ms01';
export const EXPECTED_AUTH = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

export function sendRequest(content: SendRequest['content'], overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    credentials: CREDENTIALS,
    from: { displayNumber: BUSINESS_NUMBER },
    callbackData: 'cv_01.01JABCDEFGHJKMNPQRSTVWXYZ0',
    to: CUSTOMER_NUMBER,
    content,
    statusCallbackUrl: STATUS_CALLBACK,
    messageId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    ...overrides,
  };
}

/** The form body as ordered [name, value] pairs, repeated names kept. */
export function formPairs(body: string | undefined): Array<[string, string]> {
  return [...new URLSearchParams(body ?? '').entries()];
}
