/**
 * Inbound webhooks, built the way Meta and 360dialog post them, pure: what `npm run simulate`, the
 * simulators' `POST /_simulator/inbound` and tests post to `/webhook/whatsapp/{meta|360dialog}/…`.
 *
 * Shape (CLOUD_API.md §2): one entry for the WABA; one `messages` change per customer, whose value
 * has `contacts: [{ profile: { name }, wa_id }]` and that customer's messages in order (so a batch
 * exercises both loops a parser needs: over changes and over `messages[]`). A customer given as a
 * business-scoped user id (`US.1349…`) has `user_id` instead of `wa_id`, and messages with
 * `from_user_id` and no `from` (§2.2). Message ids are wamids; timestamps strings of Unix seconds.
 *
 * Authentication: Meta signs the exact body bytes with the app secret (`X-Hub-Signature-256`, and
 * the SHA-1 `X-Hub-Signature`) and encodes the body with `\uXXXX` escapes (see `encodeLikeMeta`);
 * 360dialog signs nothing and sends back the headers registered with the webhook URL.
 */
import { BUSINESS_SCOPED_USER_ID } from './messages';
import {
  changeValue,
  digitsOf,
  encodeLikeMeta,
  envelope,
  hubSignature1,
  hubSignature256,
  newWamid,
  unixSeconds,
  type CloudWebhookPayload,
  type WebhookNumber,
} from './payloads';

/** One customer message to put in an inbound webhook. */
export interface CloudInboundMessage {
  /** The customer: E.164 (`+5215512345678`), digits, or a business-scoped user id (`US.1349…`). */
  from: string;
  /** WhatsApp profile name. @default 'Demo Customer' */
  name?: string;
  /** A text message (the default type, with `''` when neither `text` nor `image` is given). */
  text?: string;
  /** An image message by media id (as `GET /{media-id}` then resolves). */
  image?: { id: string; mimeType: string; sha256: string; caption?: string };
  /**
   * Any media message by id: `audio` (with `voice: true` for a voice note), `document` (with its
   * `filename`), `video`, `sticker` or `image`.
   */
  media?: { type: 'image' | 'audio' | 'video' | 'document' | 'sticker'; id: string; mimeType: string; sha256: string; caption?: string; filename?: string; voice?: boolean };
  /** The wamid. @default a new one */
  id?: string;
  /** Epoch ms. @default now */
  at?: number;
  /** The wamid of a business message this one quotes (`context.id`). */
  replyTo?: string;
}

/** An HTTP request ready to post to a webhook URL. */
export interface WebhookHttpRequest {
  method: 'POST';
  headers: Record<string, string>;
  /** Exactly the bytes to send (signatures are over them). */
  body: string;
}

/** A built inbound payload and its message ids, in the order given. */
export interface BuiltInbound {
  payload: CloudWebhookPayload;
  messageIds: string[];
}

function isUserId(from: string): boolean {
  return BUSINESS_SCOPED_USER_ID.test(from);
}

function messageObject(number: WebhookNumber, message: CloudInboundMessage, id: string, now: number): Record<string, unknown> {
  const object: Record<string, unknown> = isUserId(message.from) ? { from_user_id: message.from } : { from: digitsOf(message.from) };
  object.id = id;
  object.timestamp = unixSeconds(message.at ?? now);
  if (message.replyTo) object.context = { from: digitsOf(number.displayNumber), id: message.replyTo };
  if (message.media) {
    const { type, id: mediaId, mimeType, sha256, caption, filename, voice } = message.media;
    object.type = type;
    object[type] = {
      ...(caption !== undefined && { caption }),
      ...(filename !== undefined && { filename }),
      ...(voice !== undefined && { voice }),
      mime_type: mimeType,
      sha256,
      id: mediaId,
    };
  } else if (message.image) {
    object.type = 'image';
    object.image = {
      ...(message.image.caption !== undefined && { caption: message.image.caption }),
      mime_type: message.image.mimeType,
      sha256: message.image.sha256,
      id: message.image.id,
    };
  } else {
    object.type = 'text';
    object.text = { body: message.text ?? '' };
  }
  return object;
}

/**
 * The inbound payload for `messages` to `number`: one change per customer (in order of first
 * appearance), each with its contact and its messages in the order given.
 * @example
 * const { payload, messageIds } = inboundPayload({ wabaId: '2000', phoneNumberId: '1000', displayNumber: '+15550100001' },
 *   [{ from: '+5215512345678', text: 'Hola', name: 'Ana' }]);
 */
export function inboundPayload(number: WebhookNumber, messages: CloudInboundMessage[], now: number = Date.now()): BuiltInbound {
  if (messages.length === 0) throw new Error('an inbound webhook needs at least one message');
  const byCustomer = new Map<string, { name: string; objects: Array<Record<string, unknown>> }>();
  const messageIds: string[] = [];
  for (const message of messages) {
    if (typeof message.from !== 'string' || message.from === '') throw new Error('every inbound message needs from');
    const key = isUserId(message.from) ? message.from : digitsOf(message.from);
    if (!isUserId(message.from) && !/^[1-9][0-9]{6,14}$/.test(key)) throw new Error('from must be an E.164 number or a business-scoped user id');
    const id = message.id ?? newWamid();
    messageIds.push(id);
    const customer = byCustomer.get(key) ?? { name: message.name ?? 'Demo Customer', objects: [] };
    customer.objects.push(messageObject(number, message, id, now));
    byCustomer.set(key, customer);
  }
  const values = [...byCustomer].map(([key, customer]) =>
    changeValue(number, {
      contacts: [isUserId(key) ? { profile: { name: customer.name }, user_id: key } : { profile: { name: customer.name }, wa_id: key }],
      messages: customer.objects,
    }),
  );
  return { payload: envelope(number, values), messageIds };
}

/**
 * N text messages from `customers` (≤ N) customers, round robin: the first is `from`, the next
 * ones count up from it (`+5215512345678`, `+5215512345679`, …). Texts are numbered when N > 1.
 * @example textBatch({ from: '+5215512345678', count: 3, customers: 2, text: 'Hola' }).map((m) => m.from)
 * // ['+5215512345678', '+5215512345679', '+5215512345678']
 */
export function textBatch(options: { from: string; count: number; customers?: number; text: string; name?: string; at?: number }): CloudInboundMessage[] {
  const count = options.count;
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a whole number ≥ 1');
  const customers = Math.min(options.customers ?? 1, count);
  if (!Number.isInteger(customers) || customers < 1) throw new Error('customers must be a whole number ≥ 1');
  if (customers > 1 && isUserId(options.from)) throw new Error('several customers need a phone number in from, not a user id');
  const numbers = Array.from({ length: customers }, (_, index) => {
    if (index === 0) return options.from;
    const digits = digitsOf(options.from);
    const next = (BigInt(digits) + BigInt(index)).toString();
    if (next.length !== digits.length) throw new Error('from is too close to the end of its number range for that many customers');
    return `+${next}`;
  });
  return Array.from({ length: count }, (_, index) => ({
    from: numbers[index % customers]!,
    text: count > 1 ? `${options.text} (${index + 1}/${count})` : options.text,
    name: options.name ?? (customers > 1 ? `Demo Customer ${(index % customers) + 1}` : 'Demo Customer'),
    ...(options.at !== undefined && { at: options.at + index }),
  }));
}

/**
 * A Meta webhook POST of `payload`: the body encoded like Meta's and signed with the app secret.
 * @example
 * const request = metaWebhookRequest(payload, appSecret);
 * await fetch(url, request);
 */
export function metaWebhookRequest(payload: CloudWebhookPayload, appSecret: string): WebhookHttpRequest {
  const body = encodeLikeMeta(payload);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature': hubSignature1(appSecret, body),
      'x-hub-signature-256': hubSignature256(appSecret, body),
    },
    body,
  };
}

/**
 * A 360dialog webhook POST of `payload`, with the headers registered with the webhook URL
 * (`{ 'X-Echo-Webhook-Token': secret }` for ours).
 * @example await fetch(url, dialog360WebhookRequest(payload, { 'X-Echo-Webhook-Token': webhookSecret }))
 */
export function dialog360WebhookRequest(payload: CloudWebhookPayload, registeredHeaders: Record<string, string>): WebhookHttpRequest {
  return { method: 'POST', headers: { ...registeredHeaders, 'content-type': 'application/json' }, body: JSON.stringify(payload) };
}
