/**
 * The webhook payloads both simulators post, pure: the Cloud API envelope, status and message
 * values, Meta's body encoding and its `X-Hub-Signature-256`.
 *
 * Envelope (CLOUD_API.md §2.1): `{ object: 'whatsapp_business_account', entry: [{ id: <WABA id>,
 * changes: [{ field: 'messages', value: { messaging_product, metadata: { display_phone_number,
 * phone_number_id }, contacts?, messages? | statuses? } }] }] }`; `display_phone_number` is digits
 * without `+`; timestamps are strings of Unix seconds.
 *
 * Statuses (§2.4): `id`, `status`, `timestamp`, `recipient_id` (or `recipient_user_id` for a
 * business-scoped user), `biz_opaque_callback_data` when the send carried it, `pricing`
 * (`pricing_model: 'PMP'`, `category`, `type`, and the deprecated `billable`) on sent, delivered and
 * read, `conversation` (`id`, `origin.type`, `expiration_timestamp` on `sent` only) on sent and
 * delivered, and `errors[]` on `failed`.
 *
 * Meta's body encoding: Meta signs "an escaped unicode version of the payload, with lowercase hex
 * digits" (§3): the body on the wire escapes non-ASCII characters as `\uXXXX`, and PHP-style `/` as
 * `\/`, `<` `%` `@` as `\u003c` `\u0025` `\u0040`. A webhook that re-serialises the parsed JSON
 * before checking the signature fails on exactly these bodies, which is why the simulator sends them.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ASYNC_FAILURES, ERROR_CODES_HREF } from './errors';

/** The number a payload is about. */
export interface WebhookNumber {
  wabaId: string;
  phoneNumberId: string;
  /** E.164 (`+15550100001`); the payload carries its digits. */
  displayNumber: string;
}

export type CloudStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusInput {
  /** The wamid. */
  id: string;
  status: CloudStatus;
  /** Epoch ms. */
  at: number;
  /** `wa_id` digits, or a business-scoped user id when `recipientIsUserId`. */
  recipient: string;
  recipientIsUserId?: boolean;
  callbackData?: string;
  /** Pricing category (`service`, `utility`, `marketing`, `authentication`) and type (`regular`, `free_customer_service`). */
  pricing?: { category: string; type: string };
  /** The failure code of a `failed` status. */
  errorCode?: number;
}

export type CloudWebhookPayload = {
  object: 'whatsapp_business_account';
  entry: Array<{ id: string; changes: Array<{ field: 'messages'; value: Record<string, unknown> }> }>;
};

/** Digits of an E.164 number. */
export function digitsOf(number: string): string {
  return number.replace(/^\+/, '');
}

/** Unix seconds as the string Cloud API payloads carry. */
export function unixSeconds(epochMs: number): string {
  return String(Math.floor(epochMs / 1000));
}

/** The `value` of one change, with `messaging_product` and `metadata` filled in. */
export function changeValue(number: WebhookNumber, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: digitsOf(number.displayNumber), phone_number_id: number.phoneNumberId },
    ...fields,
  };
}

/** One entry for the number's WABA, one `messages` change per value, in order. */
export function envelope(number: WebhookNumber, values: Array<Record<string, unknown>>): CloudWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: number.wabaId, changes: values.map((value) => ({ field: 'messages' as const, value })) }],
  };
}

/** A stable conversation id per number and recipient (Meta's is an opaque hex string). */
function conversationId(number: WebhookNumber, recipient: string): string {
  return createHash('sha256').update(`${number.phoneNumberId}:${recipient}`).digest('hex').slice(0, 32);
}

/** One entry of `statuses[]`. */
export function statusObject(number: WebhookNumber, input: StatusInput): Record<string, unknown> {
  const status: Record<string, unknown> = { id: input.id, status: input.status, timestamp: unixSeconds(input.at) };
  if (input.recipientIsUserId) status.recipient_user_id = input.recipient;
  else status.recipient_id = input.recipient;
  if (input.status !== 'failed' && input.pricing) {
    if (input.status !== 'read') {
      status.conversation = {
        id: conversationId(number, input.recipient),
        ...(input.status === 'sent' && { expiration_timestamp: unixSeconds(input.at + 24 * 3600 * 1000) }),
        origin: { type: input.pricing.category },
      };
    }
    status.pricing = { billable: input.pricing.type === 'regular', pricing_model: 'PMP', category: input.pricing.category, type: input.pricing.type };
  }
  if (input.status === 'failed' && input.errorCode !== undefined) {
    const failure = ASYNC_FAILURES[input.errorCode] ?? { title: 'Message failed to send', details: 'Message failed to send.' };
    status.errors = [{ code: input.errorCode, title: failure.title, message: failure.title, error_data: { details: failure.details }, href: ERROR_CODES_HREF }];
  }
  if (input.callbackData !== undefined) status.biz_opaque_callback_data = input.callbackData;
  return status;
}

/** The whole status webhook for one status. */
export function statusPayload(number: WebhookNumber, input: StatusInput): CloudWebhookPayload {
  return envelope(number, [changeValue(number, { statuses: [statusObject(number, input)] })]);
}

/**
 * JSON the way Meta puts it on the wire: non-ASCII as `\uXXXX` (lowercase hex, UTF-16 code units),
 * `/` as `\/`, and `<`, `%`, `@` as `\u003c`, `\u0025`, `\u0040`.
 * @example encodeLikeMeta({ text: 'á/@' }) // '{"text":"\\u00e1\\/\\u0040"}'
 */
export function encodeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u0080-\uffff<%@/]/g, (char) =>
    char === '/' ? '\\/' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `X-Hub-Signature-256`: `sha256=` + lowercase hex HMAC-SHA256 of the exact body bytes with the app secret.
 * @example hubSignature256('app-secret', '{}') // 'sha256=…64 hex…'
 */
export function hubSignature256(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

/** The older `X-Hub-Signature` (HMAC-SHA1) Meta still sends next to the SHA-256 one. */
export function hubSignature1(appSecret: string, body: string): string {
  return `sha1=${createHmac('sha1', appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

/**
 * A WhatsApp message id in Meta's shape: `wamid.` and base64 (the real ones encode the number and a
 * hex id; ours are random, from the base64 alphabet without `+`, `/` and `=`).
 * @example newWamid() // 'wamid.HBgLMTU1NTAxMDAwMDEVAgARGBI5QTNDQTVC…'
 */
export function newWamid(): string {
  return `wamid.HBgL${randomBytes(36).toString('base64').replace(/[+/=]/g, '').slice(0, 44)}`;
}
