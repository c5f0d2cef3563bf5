import { createHash, randomBytes } from 'node:crypto';
import type { ProviderName } from './message';

// Crockford's base32: sortable as text, no ambiguous letters, safe in URLs, keys and FIFO group ids.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * The conversation between one connection (a business number) and one customer.
 * Derived, not random, so every webhook of the same customer lands in the same conversation without
 * a lookup; hashed, so the id carries no phone number into logs, queue group ids or URLs.
 * @example conversationIdFor('demo', '+5215512345678') // 'cv_…' (26 base32 chars)
 */
export function conversationIdFor(connectionId: string, customerId: string): string {
  const digest = createHash('sha256').update(`${connectionId}\n${customerId}`).digest();
  return `cv_${base32(digest, 26)}`;
}

/**
 * A time-ordered message id (ULID layout: 48-bit millisecond time, 80 random bits), so a
 * conversation's messages sort by arrival under one partition key.
 * @example newMessageId(new Date()) // '01JD…' (26 chars)
 */
export function newMessageId(at: Date, random: Uint8Array = randomBytes(10)): string {
  let time = at.getTime();
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  return timePart + base32(random, 16);
}

/**
 * `count` message ids of one instant that sort in the order asked: the messages of one webhook
 * request keep the BSP's order under their conversation's partition key.
 * @example orderedMessageIds(new Date(), 3) // three ids, each greater than the one before
 */
export function orderedMessageIds(at: Date, count: number): string[] {
  return Array.from({ length: count }, () => newMessageId(at)).sort();
}

/**
 * The instant a `newMessageId` id was made at (its first 10 characters), or `undefined` for a
 * string that is not such an id.
 * @example messageIdTime(newMessageId(new Date('2026-11-27T10:00:00Z'))) // Date 2026-11-27T10:00:00Z
 */
export function messageIdTime(messageId: string): Date | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{10}/.test(messageId)) return undefined;
  let time = 0;
  for (const char of messageId.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return Number.isSafeInteger(time) ? new Date(time) : undefined;
}

/**
 * A new connection id: 128 random bits in Crockford base32 behind `cn_`. Random, not derived, so
 * that a webhook URL (which carries it) cannot be guessed from the business or the number.
 * @example newConnectionId() // 'cn_…' (26 base32 chars)
 */
export function newConnectionId(random: Uint8Array = randomBytes(17)): string {
  return `cn_${base32(random, 26)}`;
}

/** The dedupe item key for a BSP message: one per provider and provider message id. */
export function dedupeKeyFor(provider: ProviderName, externalId: string): string {
  return `${provider}#${externalId}`;
}

/**
 * The key of the item that maps a BSP's id for one of OUR messages to our message key, written when
 * the BSP accepts it, so that a status which does not echo our key still finds its message.
 * @example outboundExternalKeyFor('meta', 'wamid.HBg') // 'out#meta#wamid.HBg'
 */
export function outboundExternalKeyFor(provider: ProviderName, externalId: string): string {
  return `out#${provider}#${externalId}`;
}

/**
 * SQS FIFO deduplication id for a BSP message. Derived from the provider's id, so a replayed
 * webhook that re-enqueues within SQS's 5-minute window is dropped by the queue itself.
 */
export function queueDeduplicationIdFor(provider: ProviderName, externalId: string): string {
  return createHash('sha256').update(dedupeKeyFor(provider, externalId)).digest('hex');
}

/** Ids we put in URLs and keys are plain alphanumerics and underscores (see TWILIO.md on signing). */
export const SAFE_ID = /^[A-Za-z0-9_]{1,64}$/;
