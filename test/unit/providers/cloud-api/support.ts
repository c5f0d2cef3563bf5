/**
 * What the Cloud API, Meta and 360dialog tests share: a `fetch` that never touches the network,
 * Meta-shaped answers, envelopes around message fixtures, and the numbers every test uses.
 */
import type { Connection } from '../../../../lambdas/domain/connection';
import type { SendRequest } from '../../../../lambdas/providers/whatsapp/provider';
import messages from './fixtures/messages.json';
import { jsonResponse, type RecordedRequest } from '../../../support/fake-fetch';

export const WABA_ID = '102290129340398';
export const PHONE_NUMBER_ID = '106540352242922';
export const BUSINESS_DIGITS = '15550783881';
export const BUSINESS_NUMBER = `+${BUSINESS_DIGITS}`;
export const CUSTOMER_NUMBER = '+5215512345678';
export const CUSTOMER_BSUID = 'MX.13491208655302741918';

export const META_CREDENTIALS = {
  accessToken: `EAAG${'x1Y2z3'.repeat(30)}`,
  appSecret: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  verifyToken: 'vt_k3Jx9Qm2Lp8Rz4Wn7Tb1Yc6Hd0Fs5Ge',
};
export const DIALOG360_CREDENTIALS = { apiKey: 'MISyrZTxjZFZTH52tF8M7hwSAK', webhookSecret: 'ws_Zq8Lm3Np7Rt2Vx6By1Cd5Fg9Hj4Kk0' };

export type MessageFixture = keyof typeof messages;
export const MESSAGES: Record<MessageFixture, Record<string, unknown>> = messages;

/** A Cloud API envelope with one `messages` change. */
export function envelope(
  value: { contacts?: unknown[]; messages?: unknown[]; statuses?: unknown[]; errors?: unknown[] },
  metadata: { display_phone_number: string; phone_number_id: string } = { display_phone_number: BUSINESS_DIGITS, phone_number_id: PHONE_NUMBER_ID },
  wabaId = WABA_ID,
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
  };
}

/** One message fixture in an envelope, with its sender's contact entry. */
export function messageEnvelope(name: MessageFixture): Record<string, unknown> {
  return envelope({ contacts: [{ profile: { name: 'Ana' }, wa_id: '5215512345678' }], messages: [MESSAGES[name]] });
}

export function connection(overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId: 'cn_meta',
    businessId: 'acme',
    provider: 'meta',
    status: 'active',
    displayNumber: BUSINESS_NUMBER,
    secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:x',
    ...overrides,
  };
}

export { fakeFetch, jsonResponse, type Handler, type RecordedRequest } from '../../../support/fake-fetch';

/** Meta's Graph error body. */
export function metaError(status: number, code: number, extra: { message?: string; subcode?: number; details?: string } = {}, headers: Record<string, string> = {}): Response {
  return jsonResponse(
    status,
    {
      error: {
        message: extra.message ?? '(#' + code + ') error',
        type: 'OAuthException',
        code,
        ...(extra.subcode !== undefined && { error_subcode: extra.subcode }),
        error_data: { messaging_product: 'whatsapp', details: extra.details ?? 'details' },
        fbtrace_id: 'AbCdEf',
      },
    },
    headers,
  );
}

/** A 200 from `…/messages` as Meta answers it. */
export function accepted(id = 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCERIYEjA', messageStatus?: string): Response {
  return jsonResponse(200, {
    messaging_product: 'whatsapp',
    contacts: [{ input: '5215512345678', wa_id: '5215512345678' }],
    messages: [{ id, ...(messageStatus !== undefined && { message_status: messageStatus }) }],
  });
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

export function sendRequest(content: SendRequest['content'], overrides: Partial<SendRequest> = {}): SendRequest {
  return {
    credentials: META_CREDENTIALS,
    from: { displayNumber: BUSINESS_NUMBER, providerNumberId: PHONE_NUMBER_ID },
    to: CUSTOMER_NUMBER,
    content,
    statusCallbackUrl: '',
    callbackData: 'cv_01JABCDEFGHJKMNPQRSTVWXYZ0.01JABCDEFGHJKMNPQRSTVWXYZ1',
    messageId: '01JABCDEFGHJKMNPQRSTVWXYZ1',
    ...overrides,
  };
}
