import * as z from 'zod';
import type { Customer, InboundContent, InboundMessage, MediaRef } from '../../../domain/message';
import { MalformedRequestError } from '../../../shared/errors';
import { fieldValue } from './fields';
import { UNKNOWN_CONTENT_TYPE, mediaKindOf } from './media';

const WHATSAPP_PREFIX = 'whatsapp:';

/** E.164: a `+`, a non-zero country code digit, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** A signed or unsigned decimal, as Twilio writes coordinates; `Number()` alone would accept `''`, `0x1` or `1e3`. */
const DECIMAL = /^[-+]?\d+(\.\d+)?$/;

/**
 * The fields without which a message cannot be stored or answered. Built once: schemas are not
 * rebuilt per request. Everything else is optional and read defensively, because Twilio adds,
 * renames and omits WhatsApp fields without notice.
 */
const envelopeSchema = z
  .object({
    MessageSid: z.string().optional(),
    SmsMessageSid: z.string().optional(),
    SmsSid: z.string().optional(),
    AccountSid: z.string().min(1),
    From: z.string().startsWith(WHATSAPP_PREFIX).min(WHATSAPP_PREFIX.length + 1),
    To: z.string().startsWith(WHATSAPP_PREFIX).min(WHATSAPP_PREFIX.length + 1),
  })
  // SmsSid and SmsMessageSid are deprecated copies of MessageSid, kept as a fallback only.
  .refine((f) => Boolean(f.MessageSid || f.SmsMessageSid || f.SmsSid), {
    message: 'MessageSid is required',
    path: ['MessageSid'],
  });

/** `MessageType` values that name a media kind; their content comes from the attachments. */
const MEDIA_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'image',
  'video',
  'audio',
  'voice',
  'document',
  'sticker',
  'contacts',
  'vcard',
]);

/**
 * Normalise a Twilio incoming-message webhook into an `InboundMessage`.
 *
 * Content that cannot be mapped (an unknown `MessageType`, a location without valid coordinates, a
 * media message without its media) becomes `{ type: 'unsupported', reason, raw }`: the message is
 * still stored and acknowledged, never dropped and never an error, so Twilio does not log a failed
 * webhook for something the customer really sent.
 *
 * @throws MalformedRequestError when MessageSid (or SmsMessageSid/SmsSid), AccountSid, From or To is
 *   missing, or From/To is not a `whatsapp:` address.
 * @example
 * parseTwilioInbound({
 *   MessageSid: 'SM0123', AccountSid: 'AC0123', Body: 'Hola 👋', NumMedia: '0',
 *   From: 'whatsapp:+5215512345678', To: 'whatsapp:+14155238886', ProfileName: 'Ana', WaId: '5215512345678',
 * });
 * // { provider: 'twilio', externalId: 'SM0123', accountId: 'AC0123', to: '+14155238886',
 * //   customer: { id: '+5215512345678', isPhoneNumber: true, waId: '5215512345678', profileName: 'Ana' },
 * //   content: { type: 'text', text: 'Hola 👋' } }
 */
export function parseTwilioInbound(fields: Record<string, string>): InboundMessage {
  const parsed = envelopeSchema.safeParse(fields);
  if (!parsed.success) {
    // Field names only: values are customer data and error messages end up in logs.
    const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    throw new MalformedRequestError(`Twilio inbound webhook has missing or invalid fields: ${names.join(', ')}`);
  }
  const envelope = parsed.data;

  const message: InboundMessage = {
    provider: 'twilio',
    externalId: (envelope.MessageSid || envelope.SmsMessageSid || envelope.SmsSid) as string,
    accountId: envelope.AccountSid,
    to: envelope.To.slice(WHATSAPP_PREFIX.length),
    customer: customerOf(envelope.From.slice(WHATSAPP_PREFIX.length), fields),
    content: contentOf(fields),
  };

  const replyTo = fieldValue(fields, 'OriginalRepliedMessageSid');
  if (replyTo) message.replyToExternalId = replyTo;
  const forwarded = forwardedOf(fields);
  if (forwarded !== undefined) message.forwarded = forwarded;
  const referral = referralOf(fields);
  if (referral) message.referral = referral;
  return message;
}

function customerOf(address: string, fields: Record<string, string>): Customer {
  // `address` is `+E164` for most users, or a business-scoped user id for WhatsApp username users
  // who hide their number: either way it is what Twilio needs to write back, so it is the id.
  const customer: Customer = { id: address, isPhoneNumber: E164.test(address) };
  const waId = fieldValue(fields, 'WaId');
  if (waId) customer.waId = waId;
  const profileName = fieldValue(fields, 'ProfileName');
  if (profileName) customer.profileName = profileName;
  return customer;
}

function contentOf(fields: Record<string, string>): InboundContent {
  const messageType = fieldValue(fields, 'MessageType')?.trim().toLowerCase();
  switch (messageType) {
    // Older payloads (and SMS-style ones) carry no MessageType: infer from the fields present.
    case undefined:
    case 'text':
      return inferredContentOf(fields);
    case 'location':
      return locationOf(fields);
    case 'interactive':
      return interactiveReplyOf(fields);
    case 'button':
      return templateButtonReplyOf(fields);
    case 'reaction':
      return reactionOf(fields);
    default: {
      const media = mediaOf(fields);
      if ('reason' in media) return unsupported(media.reason, fields);
      if (media.refs.length > 0) return mediaContentOf(media.refs, fields);
      return unsupported(
        MEDIA_MESSAGE_TYPES.has(messageType)
          ? `MessageType "${messageType}" arrived without media`
          : `MessageType "${messageType}" is not supported`,
        fields,
      );
    }
  }
}

function inferredContentOf(fields: Record<string, string>): InboundContent {
  if (fieldValue(fields, 'Latitude') !== undefined || fieldValue(fields, 'Longitude') !== undefined) {
    return locationOf(fields);
  }
  if (fieldValue(fields, 'ListId') !== undefined || fieldValue(fields, 'ButtonPayload') !== undefined) {
    return interactiveReplyOf(fields);
  }
  const media = mediaOf(fields);
  if ('reason' in media) return unsupported(media.reason, fields);
  if (media.refs.length > 0) return mediaContentOf(media.refs, fields);
  // An empty Body with no media is still a message the customer sent (and opens the 24 h window).
  return { type: 'text', text: fields.Body ?? '' };
}

type MediaResult = { refs: MediaRef[] } | { reason: string };

function mediaOf(fields: Record<string, string>): MediaResult {
  const numMedia = fieldValue(fields, 'NumMedia');
  if (numMedia === undefined) return { refs: [] };
  if (!/^\d+$/.test(numMedia)) return { reason: 'NumMedia is not a count' };
  const count = Number(numMedia);
  // Each attachment needs its own MediaUrl field, so a count above the number of fields is a lie;
  // checking first also keeps a huge NumMedia from driving a huge loop.
  if (count > Object.keys(fields).length) return { reason: 'NumMedia exceeds the media fields present' };
  const refs: MediaRef[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = fieldValue(fields, `MediaUrl${i}`);
    if (!url) return { reason: `MediaUrl${i} is missing` };
    const contentType = fieldValue(fields, `MediaContentType${i}`) ?? UNKNOWN_CONTENT_TYPE;
    refs.push({ url, contentType, kind: mediaKindOf(contentType) });
  }
  return { refs };
}

function mediaContentOf(refs: MediaRef[], fields: Record<string, string>): InboundContent {
  // One WhatsApp message has one kind; when Twilio reports several attachments the first decides.
  const [first] = refs as [MediaRef, ...MediaRef[]];
  const caption = fieldValue(fields, 'Body');
  return caption === undefined ? { type: first.kind, media: refs } : { type: first.kind, media: refs, caption };
}

function locationOf(fields: Record<string, string>): InboundContent {
  const latitude = coordinate(fieldValue(fields, 'Latitude'), 90);
  const longitude = coordinate(fieldValue(fields, 'Longitude'), 180);
  if (latitude === undefined || longitude === undefined) {
    return unsupported('location without valid Latitude and Longitude', fields);
  }
  const content: InboundContent = { type: 'location', latitude, longitude };
  const address = fieldValue(fields, 'Address');
  if (address) content.address = address;
  const label = fieldValue(fields, 'Label');
  if (label) content.label = label;
  return content;
}

function coordinate(value: string | undefined, limit: number): number | undefined {
  if (value === undefined || !DECIMAL.test(value.trim())) return undefined;
  const n = Number(value);
  return Math.abs(n) <= limit ? n : undefined;
}

/**
 * A reply to a quick-reply button or a list picker. Twilio confirms `ButtonPayload` (the id we gave
 * the button) and `ButtonText`; the field names of list replies are unconfirmed, so `ListId`,
 * `ListTitle`, `ListDescription` are tried first, and a reply with neither id is taken as a list
 * reply whose id is the text the customer saw (Body). A list reply that Twilio reports through
 * `ButtonPayload` surfaces as a `button_reply`: both carry an id we chose, which is what consumers
 * match on.
 */
function interactiveReplyOf(fields: Record<string, string>): InboundContent {
  const body = fieldValue(fields, 'Body');
  const listId = fieldValue(fields, 'ListId');
  if (listId) {
    const content: InboundContent = { type: 'list_reply', id: listId, title: fieldValue(fields, 'ListTitle') ?? body ?? '' };
    const description = fieldValue(fields, 'ListDescription');
    if (description) content.description = description;
    return content;
  }
  const payload = fieldValue(fields, 'ButtonPayload');
  if (payload) return { type: 'button_reply', id: payload, title: fieldValue(fields, 'ButtonText') ?? body ?? '' };
  if (body) return { type: 'list_reply', id: body, title: body };
  return unsupported('interactive reply without an id or a title', fields);
}

/** A tap on a template's quick-reply button (WhatsApp type `button`): the payload may be absent. */
function templateButtonReplyOf(fields: Record<string, string>): InboundContent {
  const title = fieldValue(fields, 'ButtonText') ?? fieldValue(fields, 'Body');
  const id = fieldValue(fields, 'ButtonPayload') ?? title;
  if (!id) return unsupported('button reply without a payload or a title', fields);
  return { type: 'button_reply', id, title: title ?? id };
}

/**
 * There is no evidence that Twilio forwards reactions; if it does with MessageType `reaction`, the
 * emoji is expected in Body. An empty one (WhatsApp's "reaction removed") is kept as unsupported.
 */
function reactionOf(fields: Record<string, string>): InboundContent {
  const emoji = fieldValue(fields, 'Body');
  if (!emoji) return unsupported('reaction without an emoji', fields);
  const target = fieldValue(fields, 'OriginalRepliedMessageSid');
  return target ? { type: 'reaction', emoji, targetExternalId: target } : { type: 'reaction', emoji };
}

function forwardedOf(fields: Record<string, string>): boolean | undefined {
  const forwarded = fieldValue(fields, 'Forwarded');
  const frequently = fieldValue(fields, 'FrequentlyForwarded');
  if (forwarded === undefined && frequently === undefined) return undefined;
  return isTrue(forwarded) || isTrue(frequently);
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/**
 * Click-to-WhatsApp ad fields, as Twilio named them. Twilio sends `ReferralNumMedia=0` on every
 * message, so only a field with real content (or referral media) makes a referral.
 */
function referralOf(fields: Record<string, string>): Record<string, string> | undefined {
  const referral: Record<string, string> = {};
  let meaningful = false;
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith('Referral') || value === '') continue;
    referral[name] = value;
    if (name !== 'ReferralNumMedia' || value !== '0') meaningful = true;
  }
  return meaningful ? referral : undefined;
}

function unsupported(reason: string, fields: Record<string, string>): InboundContent {
  return { type: 'unsupported', reason, raw: { ...fields } };
}
