import * as z from 'zod';
import { decodeMessageKey } from '../../../domain/bsp';
import type { ContactCard, Customer, DeliveryStatus, InboundContent, InboundMessage, MediaKind, MediaRef, StatusUpdate } from '../../../domain/message';
import { scrubSensitive } from '../../../shared/describe-error';
import { ForbiddenError, MalformedRequestError } from '../../../shared/errors';
import type { WebhookEvent } from '../provider';

/**
 * The one parser of Cloud API webhooks, shared by Meta and 360dialog (360dialog forwards Meta's
 * payload unchanged: `shared/CLOUD_API.md` §7 "Payload format"; courier decodes both into one
 * struct). Shapes: §2 (Meta's webhook reference, cross-checked with pywa and courier fixtures).
 *
 * Strict on the envelope, tolerant inside it: a body that is not a Cloud API envelope, or a
 * `messages` change without its `metadata`, is refused (`MalformedRequestError`, 400); one message
 * or status that cannot be read becomes an `other` event and the rest of the batch is kept, because
 * one POST carries up to 1,000 updates and Meta would retry all of them for days over one bad item.
 * Unknown fields are ignored; unknown message types become `unsupported` content, unknown status
 * words and unknown webhook fields `other` events: never an exception.
 */

/** Which Cloud API provider the payload came from (the events carry it). */
export type CloudApiProviderName = 'meta' | '360dialog';

/** A string that some payloads write as a number (ids, timestamps). */
const scalar = z.union([z.string(), z.number()]).transform(String);

const envelopeSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: scalar,
      changes: z.array(z.object({ field: z.string().min(1), value: z.unknown() })).default([]),
    }),
  ),
});

const metadataSchema = z.object({
  display_phone_number: scalar.refine((value) => /\d/.test(value), 'display_phone_number has no digits'),
  phone_number_id: scalar.refine((value) => value !== '', 'phone_number_id is empty'),
});

/** A `messages` change: what is needed to route it is required, every list is read item by item. */
const messagesValueSchema = z.object({
  metadata: metadataSchema,
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

type MessagesValue = z.infer<typeof messagesValueSchema>;
type Metadata = z.infer<typeof metadataSchema>;

/** One change of the envelope: a `messages` change (validated) or any other field (kept as is). */
export type CloudApiChange = { kind: 'messages'; value: MessagesValue } | { kind: 'other'; field: string; value: unknown };

/** A Cloud API webhook body whose envelope has been validated. */
export interface CloudApiBody {
  entries: Array<{ id: string; changes: CloudApiChange[] }>;
}

/** Zod issues as field paths only: values are customer data, and error messages reach logs. */
function issuePaths(error: z.ZodError, prefix: string): string {
  return [...new Set(error.issues.map((issue) => [prefix, ...issue.path.map(String)].filter(Boolean).join('.')))].join(', ');
}

/**
 * Validates the envelope of a Cloud API webhook (an already-parsed JSON value).
 * @throws MalformedRequestError when it is not `{ object: "whatsapp_business_account", entry: [...] }`
 *   or a `messages` change lacks `metadata.phone_number_id` / `display_phone_number`.
 * @example parseCloudApiBody({ object: 'whatsapp_business_account', entry: [] }) // { entries: [] }
 */
export function parseCloudApiBody(value: unknown): CloudApiBody {
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) throw new MalformedRequestError(`not a Cloud API webhook envelope: ${issuePaths(parsed.error, '')}`);
  return {
    entries: parsed.data.entry.map((entry, e) => ({
      id: entry.id,
      changes: entry.changes.map((change, c): CloudApiChange => {
        if (change.field !== 'messages') return { kind: 'other', field: change.field, value: change.value };
        const messages = messagesValueSchema.safeParse(change.value);
        if (!messages.success) {
          throw new MalformedRequestError(`Cloud API messages change is malformed: ${issuePaths(messages.error, `entry.${e}.changes.${c}.value`)}`);
        }
        return { kind: 'messages', value: messages.data };
      }),
    })),
  };
}

/**
 * Reads a raw webhook body: JSON, then the envelope (see {@link parseCloudApiBody}).
 * @throws MalformedRequestError for a body that is not JSON or not a Cloud API envelope.
 * @example readCloudApiBody('{"object":"whatsapp_business_account","entry":[]}') // { entries: [] }
 */
export function readCloudApiBody(rawBody: string): CloudApiBody {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch {
    throw new MalformedRequestError('Cloud API webhook body is not JSON');
  }
  return parseCloudApiBody(value);
}

/** Who a webhook must be addressed to: the connection's number (and account, where known). */
export interface CloudApiAddress {
  /** Meta's `phone_number_id`: every change's `metadata.phone_number_id` must equal it. */
  providerNumberId?: string;
  /** The business number: every change's `metadata.display_phone_number` must have its digits. */
  displayNumber?: string;
  /** The WABA id: every `entry[].id` must equal it. */
  wabaId?: string;
}

const digitsOf = (value: string) => value.replace(/\D/g, '');

function metadataOf(change: CloudApiChange): Metadata | undefined {
  if (change.kind === 'messages') return change.value.metadata;
  // Other fields (account_update, smb_message_echoes…) may carry metadata too: check it when present.
  const parsed = z.object({ metadata: metadataSchema }).safeParse(change.value);
  return parsed.success ? parsed.data.metadata : undefined;
}

/**
 * Refuses a webhook that is not addressed to the connection it arrived for: a signed payload for
 * another number (one Meta app may serve several numbers) must not land in this business's data.
 *
 * @throws ForbiddenError when an entry's WABA id or a change's `phone_number_id` / display number
 *   is another than the connection's, or when neither a number id nor a number is given to check.
 * @example assertAddressedTo(body, { providerNumberId: '106540352242922' });
 */
export function assertAddressedTo(body: CloudApiBody, address: CloudApiAddress): void {
  if (!address.providerNumberId && !address.displayNumber) throw new ForbiddenError('connection has no number to check the webhook against');
  const wantedDigits = address.displayNumber ? digitsOf(address.displayNumber) : undefined;
  for (const entry of body.entries) {
    if (address.wabaId && entry.id !== address.wabaId) throw new ForbiddenError('webhook entry is for another WhatsApp Business Account');
    for (const change of entry.changes) {
      const metadata = metadataOf(change);
      if (!metadata) continue;
      if (address.providerNumberId && metadata.phone_number_id !== address.providerNumberId) {
        throw new ForbiddenError('webhook change is for another phone number id');
      }
      if (wantedDigits !== undefined && digitsOf(metadata.display_phone_number) !== wantedDigits) {
        throw new ForbiddenError('webhook change is for another business number');
      }
    }
  }
}

// ── Items. Each is read on its own: one unreadable item never costs the others.

const errorSchema = z.object({
  code: scalar.optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});
type CloudApiError = z.infer<typeof errorSchema>;

const contactSchema = z.object({
  wa_id: scalar.optional(),
  user_id: z.string().optional(),
  profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
type Contact = z.infer<typeof contactSchema>;

const messageSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  from: scalar.optional(),
  from_user_id: z.string().optional(),
  timestamp: scalar.optional(),
  context: z
    .object({ id: z.string().optional(), forwarded: z.boolean().optional(), frequently_forwarded: z.boolean().optional() })
    .optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: scalar.optional(),
  recipient_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  pricing: z.object({ category: z.string().optional() }).optional(),
});

const mediaSchema = z.object({
  id: scalar.optional(),
  url: z.string().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
});

/** Coordinates and amounts some payloads write as strings. */
const numeric = z.union([z.number(), z.string().regex(/^[-+]?\d+(\.\d+)?$/).transform(Number)]);

const locationSchema = z.object({
  latitude: numeric,
  longitude: numeric,
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

const sharedContactSchema = z.object({
  name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: scalar.optional(), type: z.string().optional() })).optional(),
  emails: z.array(z.object({ email: z.string().optional() })).optional(),
  org: z.object({ company: z.string().optional() }).optional(),
});

const interactiveSchema = z.object({
  type: z.string(),
  button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
  list_reply: z.object({ id: z.string(), title: z.string(), description: z.string().optional() }).optional(),
  nfm_reply: z
    .object({ name: z.string().optional(), body: z.string().optional(), response_json: z.union([z.string(), z.record(z.string(), z.unknown())]) })
    .optional(),
});

const orderSchema = z.object({
  catalog_id: scalar,
  text: z.string().optional(),
  product_items: z
    .array(z.object({ product_retailer_id: scalar, quantity: numeric, item_price: numeric, currency: z.string() }))
    .default([]),
});

const systemSchema = z.object({
  type: z.string().optional(),
  body: z.string().optional(),
  wa_id: scalar.optional(),
  new_wa_id: scalar.optional(),
});

/** Default content types where a payload leaves `mime_type` out. */
const DEFAULT_MIME: Record<MediaKind, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg',
  voice: 'audio/ogg',
  document: 'application/octet-stream',
  sticker: 'image/webp',
  contacts: 'text/vcard',
};

/** Unix seconds (string or number) as ISO 8601, or undefined when it is not a usable time. */
function isoFromUnixSeconds(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const ms = Number(value) * 1000;
  const date = new Date(ms);
  return Number.isFinite(ms) && ms > 0 && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

function firstError(errors: unknown[] | undefined): CloudApiError | undefined {
  const parsed = errorSchema.safeParse(errors?.[0]);
  return parsed.success ? parsed.data : undefined;
}

/** A sentence of Meta's error: its title (or message), with the details when they add something. */
function errorSentence(error: CloudApiError): string | undefined {
  const head = error.title ?? error.message;
  const details = error.error_data?.details;
  if (head && details && details !== head) return `${head}: ${details}`;
  return head ?? details;
}

function unsupported(type: string, reason: string, error?: CloudApiError): InboundContent {
  const raw: Record<string, string> = { type };
  if (error?.code !== undefined) raw.errorCode = error.code;
  if (error?.title !== undefined) raw.errorTitle = error.title;
  if (error?.error_data?.details !== undefined) raw.errorDetails = error.error_data.details;
  return { type: 'unsupported', reason, raw };
}

function mediaContent(type: string, payload: unknown): InboundContent {
  const parsed = mediaSchema.safeParse(payload);
  if (!parsed.success || (!parsed.data.id && !parsed.data.url)) return unsupported(type, `${type} message without a media id`);
  const media = parsed.data;
  // A recorded voice note is `audio` with `voice: true`; older payloads used `type: "voice"`.
  const kind: MediaKind = type === 'voice' || (type === 'audio' && media.voice === true) ? 'voice' : (type as MediaKind);
  const ref: MediaRef = { contentType: media.mime_type ?? DEFAULT_MIME[kind], kind };
  if (media.id) ref.id = media.id;
  // Since 2025-10-16 media webhooks may carry a short-lived download URL (CLOUD_API.md §11).
  if (media.url && /^https:\/\//.test(media.url)) ref.url = media.url;
  if (media.sha256) ref.sha256 = media.sha256;
  if (media.filename) ref.filename = media.filename;
  return { type: kind, media: [ref], ...(media.caption ? { caption: media.caption } : {}) };
}

function contactsContent(payload: unknown): InboundContent {
  const parsed = z.array(sharedContactSchema).safeParse(payload);
  if (!parsed.success || parsed.data.length === 0) return unsupported('contacts', 'contacts message without readable cards');
  const cards = parsed.data.map((card): ContactCard => {
    const name = card.name?.formatted_name ?? [card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ');
    const result: ContactCard = {
      name,
      phones: (card.phones ?? [])
        .filter((phone): phone is typeof phone & { phone: string } => typeof phone.phone === 'string')
        .map((phone) => ({ phone: phone.phone, ...(phone.wa_id && { waId: phone.wa_id }), ...(phone.type && { type: phone.type }) })),
    };
    const emails = (card.emails ?? []).map((email) => email.email).filter((email): email is string => typeof email === 'string');
    if (emails.length > 0) result.emails = emails;
    if (card.org?.company) result.organization = card.org.company;
    return result;
  });
  return { type: 'contacts', media: [], cards };
}

function interactiveContent(payload: unknown): InboundContent {
  const parsed = interactiveSchema.safeParse(payload);
  if (!parsed.success) return unsupported('interactive', 'interactive reply without a readable answer');
  const { type, button_reply: button, list_reply: list, nfm_reply: flow } = parsed.data;
  if (type === 'button_reply' && button) return { type: 'button_reply', id: button.id, title: button.title, source: 'interactive' };
  if (type === 'list_reply' && list) {
    return { type: 'list_reply', id: list.id, title: list.title, ...(list.description !== undefined && { description: list.description }) };
  }
  if (type === 'nfm_reply' && flow) {
    const responseJson = typeof flow.response_json === 'string' ? flow.response_json : JSON.stringify(flow.response_json);
    return { type: 'flow_reply', responseJson, ...(flow.name !== undefined && { name: flow.name }), ...(flow.body !== undefined && { body: flow.body }) };
  }
  return unsupported('interactive', `interactive reply of type "${type.slice(0, 40)}" is not supported`);
}

function contentOf(message: z.infer<typeof messageSchema>, raw: Record<string, unknown>): InboundContent {
  const payload = raw[message.type];
  switch (message.type) {
    case 'text': {
      const body = z.object({ body: z.string() }).safeParse(payload);
      return body.success ? { type: 'text', text: body.data.body } : unsupported('text', 'text message without a body');
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker':
      return mediaContent(message.type, payload);
    case 'location': {
      const location = locationSchema.safeParse(payload);
      if (!location.success) return unsupported('location', 'location without valid coordinates');
      const { latitude, longitude, name, address, url } = location.data;
      return {
        type: 'location',
        latitude,
        longitude,
        ...(name !== undefined && { label: name }),
        ...(address !== undefined && { address }),
        ...(url !== undefined && { url }),
      };
    }
    case 'contacts':
      return contactsContent(payload);
    case 'interactive':
      return interactiveContent(payload);
    case 'button': {
      // A tap on a template's quick-reply button: `payload` is the id the template defined.
      const button = z.object({ payload: z.string().optional(), text: z.string() }).safeParse(payload);
      if (!button.success) return unsupported('button', 'template button reply without its text');
      return { type: 'button_reply', id: button.data.payload ?? button.data.text, title: button.data.text, source: 'template' };
    }
    case 'reaction': {
      const reaction = z.object({ message_id: z.string().optional(), emoji: z.string().optional() }).safeParse(payload);
      if (!reaction.success) return unsupported('reaction', 'reaction without a readable emoji');
      const emoji = reaction.data.emoji ?? '';
      return {
        type: 'reaction',
        emoji,
        ...(reaction.data.message_id !== undefined && { targetExternalId: reaction.data.message_id }),
        // An empty or missing emoji is the customer taking the reaction back (pywa fixtures).
        ...(emoji === '' && { removed: true }),
      };
    }
    case 'order': {
      const order = orderSchema.safeParse(payload);
      if (!order.success) return unsupported('order', 'order without a readable catalog or items');
      return {
        type: 'order',
        catalogId: order.data.catalog_id,
        ...(order.data.text !== undefined && { text: order.data.text }),
        items: order.data.product_items.map((item) => ({
          productRetailerId: item.product_retailer_id,
          quantity: item.quantity,
          itemPrice: item.item_price,
          currency: item.currency,
        })),
      };
    }
    case 'system': {
      const system = systemSchema.safeParse(payload);
      if (!system.success) return unsupported('system', 'system message without a readable body');
      const newWaId = system.data.new_wa_id ?? system.data.wa_id;
      return { type: 'system', systemType: system.data.type ?? 'unknown', body: system.data.body ?? '', ...(newWaId !== undefined && { newWaId }) };
    }
    case 'unsupported': {
      const error = firstError(message.errors);
      return unsupported('unsupported', (error && errorSentence(error)) ?? 'WhatsApp reported the message type as unsupported', error);
    }
    default:
      return unsupported(message.type.slice(0, 40), `WhatsApp message type "${message.type.slice(0, 40)}" is not supported`, firstError(message.errors));
  }
}

/**
 * One message object read on its own, for the fields that reuse the `messages` shape (Meta's
 * coexistence `smb_message_echoes` and `history`): its id, type, sender and time, and its content
 * as {@link contentOf} reads an inbound one. Undefined when it has no id or type.
 * @example readCloudApiMessageItem({ id: 'wamid.A', type: 'text', text: { body: 'Hola' }, timestamp: '1739321024' })
 * // { id: 'wamid.A', type: 'text', content: { type: 'text', text: 'Hola' }, sentAt: '2025-02-12T00:43:44.000Z' }
 */
export function readCloudApiMessageItem(item: unknown): { id: string; type: string; from?: string; content: InboundContent; sentAt?: string } | undefined {
  const parsed = messageSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  const sentAt = isoFromUnixSeconds(message.timestamp);
  return {
    id: message.id,
    type: message.type,
    ...(message.from !== undefined && { from: message.from }),
    content: contentOf(message, item as Record<string, unknown>),
    ...(sentAt !== undefined && { sentAt }),
  };
}

/** Digits that can follow a `+` as an E.164 number. */
const WA_ID = /^[1-9]\d{1,14}$/;

/**
 * The customer: the `contacts[]` entry of this message (by `wa_id` = `from`, or by `user_id` =
 * `from_user_id`), else the message's own fields. A phone number (`wa_id`) is the id when there
 * is one; a username user without a visible number is identified by the BSUID (§2.2).
 */
function customerOf(message: z.infer<typeof messageSchema>, contacts: Contact[]): Customer | undefined {
  const contact = contacts.find(
    (candidate) =>
      (message.from !== undefined && candidate.wa_id === message.from) ||
      (message.from_user_id !== undefined && candidate.user_id === message.from_user_id),
  );
  const waIdCandidate = contact?.wa_id ?? message.from;
  const waId = waIdCandidate !== undefined && WA_ID.test(waIdCandidate) ? waIdCandidate : undefined;
  const userId = contact?.user_id ?? message.from_user_id;
  let customer: Customer;
  if (waId) customer = { id: `+${waId}`, isPhoneNumber: true, waId };
  else if (userId) customer = { id: userId, isPhoneNumber: false };
  else return undefined;
  if (userId) customer.userId = userId;
  if (contact?.profile?.username) customer.username = contact.profile.username;
  if (contact?.profile?.name) customer.profileName = contact.profile.name;
  return customer;
}

/** Referral fields as strings (scalars only: nested objects say nothing we route on). */
function referralOf(referral: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!referral) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(referral)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') result[key] = String(value);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * Meta's status words. `played` (a voice message was played) implies it was read and our status
 * machine has nothing above `read`, so it counts as `read`; `deleted` and unknown words are not a
 * delivery state and become `other` events.
 */
const DELIVERY_STATUSES: Readonly<Record<string, DeliveryStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

/** An event type made safe for metrics and logs: lower-case words, bounded. */
function safeType(prefix: string, word: string): string {
  const clean = word.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 48);
  return `${prefix}:${clean || 'unknown'}`;
}

interface ParseContext {
  provider: CloudApiProviderName;
  accountId: string;
  /** The business number, E.164. */
  to: string;
  events: WebhookEvent[];
  seen: Set<string>;
}

function pushMessage(item: unknown, index: number, contacts: Contact[], ctx: ParseContext): void {
  const parsed = messageSchema.safeParse(item);
  if (!parsed.success) {
    ctx.events.push({ kind: 'other', type: 'message:unreadable', detail: { index, fields: issuePaths(parsed.error, '') } });
    return;
  }
  const message = parsed.data;
  if (ctx.seen.has(`m:${message.id}`)) return;
  ctx.seen.add(`m:${message.id}`);

  const customer = customerOf(message, contacts);
  if (!customer) {
    ctx.events.push({ kind: 'other', type: 'message:no-sender', detail: { externalId: message.id } });
    return;
  }
  const inbound: InboundMessage = {
    provider: ctx.provider,
    externalId: message.id,
    accountId: ctx.accountId,
    to: ctx.to,
    customer,
    content: contentOf(message, item as Record<string, unknown>),
  };
  if (message.context?.id) inbound.replyToExternalId = message.context.id;
  if (message.context?.forwarded || message.context?.frequently_forwarded) inbound.forwarded = true;
  const referral = referralOf(message.referral);
  if (referral) inbound.referral = referral;
  const sentAt = isoFromUnixSeconds(message.timestamp);
  if (sentAt) inbound.sentAt = sentAt;
  ctx.events.push({ kind: 'inbound', message: inbound });
}

function pushStatus(item: unknown, index: number, ctx: ParseContext): void {
  const parsed = statusSchema.safeParse(item);
  if (!parsed.success) {
    ctx.events.push({ kind: 'other', type: 'status:unreadable', detail: { index, fields: issuePaths(parsed.error, '') } });
    return;
  }
  const status = parsed.data;
  const word = status.status.toLowerCase();
  if (ctx.seen.has(`s:${status.id}:${word}`)) return;
  ctx.seen.add(`s:${status.id}:${word}`);

  const delivery = DELIVERY_STATUSES[word];
  if (!delivery) {
    ctx.events.push({ kind: 'other', type: safeType('status', word), detail: { externalId: status.id } });
    return;
  }
  const update: StatusUpdate = {
    provider: ctx.provider,
    externalId: status.id,
    accountId: ctx.accountId,
    status: delivery,
    providerStatus: status.status,
  };
  const error = firstError(status.errors);
  if (error?.code !== undefined) update.errorCode = error.code;
  const sentence = error && errorSentence(error);
  if (sentence) update.errorMessage = sentence;
  const at = isoFromUnixSeconds(status.timestamp);
  if (at) update.at = at;
  if (status.pricing?.category) update.pricingCategory = status.pricing.category;
  if (status.recipient_user_id) update.recipientUserId = status.recipient_user_id;
  const key = decodeMessageKey(status.biz_opaque_callback_data);
  ctx.events.push(key ? { kind: 'status', update, key } : { kind: 'status', update });
}

function pushValueError(item: unknown, ctx: ParseContext): void {
  const error = errorSchema.safeParse(item);
  const code = error.success && error.data.code !== undefined ? error.data.code : 'unknown';
  const detail: Record<string, string> = { code };
  // Titles are Meta's generic words; scrubbed anyway, because details and messages may quote numbers.
  if (error.success && error.data.title) detail.title = scrubSensitive(error.data.title).slice(0, 120);
  ctx.events.push({ kind: 'other', type: safeType('error', code), detail });
}

/** What an `other` field may tell a log line: its name and, for account events, the event word. */
function otherFieldEvent(field: string, value: unknown): WebhookEvent {
  const detail: Record<string, string> = { field: field.slice(0, 64) };
  const event = (value as { event?: unknown } | null | undefined)?.event;
  if (typeof event === 'string' && /^[A-Z_]{1,64}$/.test(event)) detail.event = event;
  return { kind: 'other', type: safeType('field', field), detail };
}

/**
 * The events of a validated Cloud API body, in payload order across every entry and change
 * (messages, then statuses, then errors of each change), de-duplicated within the request: the
 * same message id, or the same (status id, status), is reported once.
 *
 * @example
 * cloudApiEvents(readCloudApiBody(rawBody), { provider: 'meta' });
 * // [{ kind: 'inbound', message: { provider: 'meta', externalId: 'wamid.…', accountId: '<WABA id>',
 * //    to: '+15550783881', customer: { id: '+5215512345678', isPhoneNumber: true, … }, content: … } }]
 */
export function cloudApiEvents(body: CloudApiBody, options: { provider: CloudApiProviderName }): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const seen = new Set<string>();
  for (const entry of body.entries) {
    for (const change of entry.changes) {
      if (change.kind === 'other') {
        events.push(otherFieldEvent(change.field, change.value));
        continue;
      }
      const value = change.value;
      const ctx: ParseContext = {
        provider: options.provider,
        accountId: entry.id,
        to: `+${digitsOf(value.metadata.display_phone_number)}`,
        events,
        seen,
      };
      const contacts = (value.contacts ?? []).flatMap((item) => {
        const contact = contactSchema.safeParse(item);
        return contact.success ? [contact.data] : [];
      });
      (value.messages ?? []).forEach((item, index) => pushMessage(item, index, contacts, ctx));
      (value.statuses ?? []).forEach((item, index) => pushStatus(item, index, ctx));
      (value.errors ?? []).forEach((item) => pushValueError(item, ctx));
    }
  }
  return events;
}

/**
 * Reads a parsed Cloud API webhook body into events in one call: envelope, addressing (when
 * `addressedTo` is given), then {@link cloudApiEvents}.
 *
 * @throws MalformedRequestError when the body is not a Cloud API envelope.
 * @throws ForbiddenError when it is addressed to another number or account than `addressedTo`.
 * @example
 * parseCloudApiWebhook(JSON.parse(rawBody), { provider: '360dialog', addressedTo: { displayNumber: '+15550783881' } });
 */
export function parseCloudApiWebhook(
  value: unknown,
  options: { provider: CloudApiProviderName; addressedTo?: CloudApiAddress },
): WebhookEvent[] {
  const body = parseCloudApiBody(value);
  if (options.addressedTo) assertAddressedTo(body, options.addressedTo);
  return cloudApiEvents(body, { provider: options.provider });
}
