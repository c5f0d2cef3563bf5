import * as z from 'zod';
import type { ContactName, CoexistenceEvent, HistoryChunk, HistoryMessage } from '../../../domain/coexistence';
import { HISTORY_DECLINED_CODE } from '../../../domain/coexistence';
import type { Customer } from '../../../domain/message';
import type { WebhookEvent } from '../provider';
import { readCloudApiMessageItem, type CloudApiBody, type CloudApiChange } from '../cloud-api/webhook-payload';

/**
 * Meta's coexistence webhook fields, read into `CoexistenceEvent`s. Shapes confirmed against Meta's
 * webhook references (developers.facebook.com …/whatsapp/webhooks/reference/<field>, mirrored at
 * support.chatarchitect.com "… webhook reference | Developer Documentation", updated Oct–Dec 2025,
 * and cross-checked with dualhook.com/docs, 360dialog's "Coexistence Webhooks" and Gupshup's
 * "Coexistence Events" samples):
 * - `smb_message_echoes`: `value.metadata{display_phone_number, phone_number_id}`,
 *   `value.message_echoes[]{from: <business number>, to: <WhatsApp user phone number>, id, timestamp,
 *   type, <type>: {…}}` — the message body has the shape of a sent message;
 * - `history`: `value.history[]{metadata{phase, chunk_order, progress}, threads[]{id: <user phone>,
 *   messages[]{from, to? (only on the business's own messages), id, timestamp, type, <type>,
 *   history_context{status, from_me?}}}}`, or `history[]{errors[]{code: 2593109, …}}` when the owner
 *   declined; media items come as `media_placeholder` first;
 * - `smb_app_state_sync`: `value.state_sync[]{type: 'contact', contact{full_name, first_name,
 *   phone_number}, action: 'add' | 'remove', metadata{timestamp}}` (names absent on `remove`);
 * - `account_update` with `event: 'PARTNER_REMOVED'`: `value.waba_info{waba_id, owner_business_id}`
 *   and, since 2026 (gradual roll-out), `value.disconnection_info{reason, initiated_by}` (reasons
 *   `PRIMARY_INACTIVITY`, `COMPANION_INACTIVITY`, `BUSINESS_DOWNGRADE`); NO `metadata`: it is
 *   routed by WABA id (`waba_info.waba_id`, else `entry[].id`).
 *
 * Tolerant like the rest of the Cloud API parser: an item that cannot be read becomes an `other`
 * event (counted), never a failure of the whole POST.
 */

/** The fields this module reads; every other field goes to the shared Cloud API parser. */
export const COEXISTENCE_FIELDS = ['smb_message_echoes', 'history', 'smb_app_state_sync'] as const;

const scalar = z.union([z.string(), z.number()]).transform(String);
/** Digits that can follow a `+` as an E.164 number. */
const WA_ID = /^[1-9]\d{1,14}$/;
const digitsOf = (value: string) => value.replace(/\D/g, '');

function phoneCustomer(raw: string | undefined): Customer | undefined {
  if (raw === undefined) return undefined;
  const digits = digitsOf(raw);
  return WA_ID.test(digits) ? { id: `+${digits}`, isPhoneNumber: true, waId: digits } : undefined;
}

const echoItemSchema = z.object({ id: z.string().min(1), to: scalar.optional() });

function echoEvents(value: unknown, accountId: string, events: WebhookEvent[]): void {
  const items = z.object({ message_echoes: z.array(z.unknown()).default([]) }).safeParse(value);
  if (!items.success) {
    events.push({ kind: 'other', type: 'echo:unreadable', detail: { field: 'smb_message_echoes' } });
    return;
  }
  items.data.message_echoes.forEach((item, index) => {
    const head = echoItemSchema.safeParse(item);
    const message = readCloudApiMessageItem(item);
    const customer = head.success ? phoneCustomer(head.data.to) : undefined;
    if (!head.success || !message || !customer) {
      events.push({ kind: 'other', type: 'echo:unreadable', detail: { index } });
      return;
    }
    events.push({
      kind: 'coexistence',
      event: {
        type: 'owner-message',
        message: { provider: 'meta', externalId: message.id, accountId, customer, content: message.content, ...(message.sentAt && { sentAt: message.sentAt }) },
      },
    });
  });
}

const historyItemSchema = z.object({
  metadata: z.object({ phase: z.number().int().optional(), chunk_order: z.number().int().optional(), progress: z.number().optional() }).partial().optional(),
  threads: z.array(z.object({ id: scalar, messages: z.array(z.unknown()).default([]) })).default([]),
  errors: z.array(z.object({ code: scalar.optional() })).optional(),
});

const historyContextSchema = z.object({
  to: scalar.optional(),
  history_context: z.object({ status: z.string().optional(), from_me: z.boolean().optional() }).optional(),
});

function historyEvents(value: unknown, accountId: string, businessDigits: string | undefined, events: WebhookEvent[]): void {
  const items = z.object({ history: z.array(z.unknown()).default([]) }).safeParse(value);
  if (!items.success) {
    events.push({ kind: 'other', type: 'history:unreadable', detail: { field: 'history' } });
    return;
  }
  items.data.history.forEach((raw, index) => {
    const item = historyItemSchema.safeParse(raw);
    if (!item.success) {
      events.push({ kind: 'other', type: 'history:unreadable', detail: { index } });
      return;
    }
    const { metadata, threads, errors } = item.data;
    const chunk: HistoryChunk = {
      provider: 'meta',
      accountId,
      ...(metadata?.phase !== undefined && { phase: metadata.phase }),
      ...(metadata?.chunk_order !== undefined && { chunkOrder: metadata.chunk_order }),
      ...(metadata?.progress !== undefined && { progress: Math.max(0, Math.min(100, metadata.progress)) }),
      messages: [],
    };
    const declined = errors?.find((error) => error.code === HISTORY_DECLINED_CODE);
    if (declined) chunk.declined = { code: HISTORY_DECLINED_CODE };
    let unreadable = 0;
    for (const thread of threads) {
      const customer = phoneCustomer(thread.id);
      for (const rawMessage of thread.messages) {
        const message = readCloudApiMessageItem(rawMessage);
        const context = historyContextSchema.safeParse(rawMessage);
        if (!customer || !message?.sentAt || !context.success) {
          unreadable++;
          continue;
        }
        // The business's own messages: `from` is the business number (Meta: "If the value is the
        // business's phone number, the message object describes a message sent by the business");
        // `to` and `history_context.from_me` say the same where present.
        const fromDigits = message.from !== undefined ? digitsOf(message.from) : undefined;
        const outbound =
          context.data.history_context?.from_me === true ||
          context.data.to !== undefined ||
          (fromDigits !== undefined && (fromDigits === businessDigits || fromDigits !== customer.waId));
        const entry: HistoryMessage = {
          direction: outbound ? 'outbound' : 'inbound',
          externalId: message.id,
          customer,
          content: message.content,
          sentAt: message.sentAt,
          ...(context.data.history_context?.status !== undefined && { providerStatus: context.data.history_context.status.slice(0, 32) }),
        };
        chunk.messages.push(entry);
      }
    }
    if (unreadable > 0) events.push({ kind: 'other', type: 'history:message-unreadable', detail: { count: unreadable } });
    events.push({ kind: 'coexistence', event: { type: 'history', chunk } });
  });
}

const stateSyncSchema = z.object({
  type: z.string(),
  action: z.string().optional(),
  contact: z.object({ full_name: z.string().optional(), first_name: z.string().optional(), phone_number: scalar.optional() }).optional(),
});

function contactEvents(value: unknown, events: WebhookEvent[]): void {
  const items = z.object({ state_sync: z.array(z.unknown()).default([]) }).safeParse(value);
  if (!items.success) {
    events.push({ kind: 'other', type: 'contacts:unreadable', detail: { field: 'smb_app_state_sync' } });
    return;
  }
  const contacts: ContactName[] = [];
  for (const raw of items.data.state_sync) {
    const item = stateSyncSchema.safeParse(raw);
    // Only contacts are synchronised today; another state type is counted, not guessed at.
    if (!item.success || item.data.type !== 'contact') {
      events.push({ kind: 'other', type: 'contacts:other-state', detail: { field: 'smb_app_state_sync' } });
      continue;
    }
    const customer = phoneCustomer(item.data.contact?.phone_number);
    const action = item.data.action === 'remove' ? 'remove' : item.data.action === 'add' ? 'add' : undefined;
    const name = (item.data.contact?.full_name ?? item.data.contact?.first_name)?.trim().slice(0, 256);
    if (!customer || !action || (action === 'add' && !name)) {
      events.push({ kind: 'other', type: 'contacts:unreadable', detail: { field: 'smb_app_state_sync' } });
      continue;
    }
    contacts.push({ customerId: customer.id, action, ...(action === 'add' && { name }) });
  }
  if (contacts.length > 0) events.push({ kind: 'coexistence', event: { type: 'contacts', contacts } });
}

const accountUpdateSchema = z.object({
  event: z.string(),
  waba_info: z.object({ waba_id: scalar.optional() }).optional(),
  disconnection_info: z.object({ reason: z.string().optional(), initiated_by: z.string().optional() }).optional(),
});

/** The WABA an `account_update` change is about: `waba_info.waba_id`, else the entry's id. */
export function accountUpdateWabaId(value: unknown, entryId: string): string {
  const parsed = accountUpdateSchema.safeParse(value);
  return (parsed.success && parsed.data.waba_info?.waba_id) || entryId;
}

/** True for the `account_update` changes this module reads (`PARTNER_REMOVED`). */
export function isPartnerRemoved(change: CloudApiChange): boolean {
  if (change.kind !== 'other' || change.field !== 'account_update') return false;
  const parsed = accountUpdateSchema.safeParse(change.value);
  return parsed.success && parsed.data.event === 'PARTNER_REMOVED';
}

const WORD = /^[A-Z_]{1,64}$/;

function partnerRemovedEvent(value: unknown, entryId: string): CoexistenceEvent {
  const parsed = accountUpdateSchema.safeParse(value);
  const info = parsed.success ? parsed.data.disconnection_info : undefined;
  return {
    type: 'partner-removed',
    removal: {
      wabaId: accountUpdateWabaId(value, entryId),
      // Meta's words only (upper-case): they are shown to the owner and go into events.
      ...(info?.reason !== undefined && WORD.test(info.reason) && { metaReason: info.reason }),
      ...(info?.initiated_by !== undefined && WORD.test(info.initiated_by) && { initiatedBy: info.initiated_by }),
    },
  };
}

function isCoexistenceChange(change: CloudApiChange): boolean {
  return (change.kind === 'other' && (COEXISTENCE_FIELDS as readonly string[]).includes(change.field)) || isPartnerRemoved(change);
}

/**
 * Splits a Cloud API body: the coexistence changes read into events, and the body of every other
 * change (for `cloudApiEvents`). Entry order is kept.
 * @example
 * const { events, rest } = coexistenceEvents(body);
 * return [...events, ...cloudApiEvents(rest, { provider: 'meta' })];
 */
export function coexistenceEvents(body: CloudApiBody): { events: WebhookEvent[]; rest: CloudApiBody } {
  const events: WebhookEvent[] = [];
  const rest: CloudApiBody = { entries: [] };
  for (const entry of body.entries) {
    const others: CloudApiChange[] = [];
    for (const change of entry.changes) {
      if (!isCoexistenceChange(change) || change.kind !== 'other') {
        others.push(change);
        continue;
      }
      const metadata = z.object({ metadata: z.object({ display_phone_number: scalar }) }).safeParse(change.value);
      const businessDigits = metadata.success ? digitsOf(metadata.data.metadata.display_phone_number) : undefined;
      if (change.field === 'smb_message_echoes') echoEvents(change.value, entry.id, events);
      else if (change.field === 'history') historyEvents(change.value, entry.id, businessDigits, events);
      else if (change.field === 'smb_app_state_sync') contactEvents(change.value, events);
      else events.push({ kind: 'coexistence', event: partnerRemovedEvent(change.value, entry.id) });
    }
    if (others.length > 0) rest.entries.push({ id: entry.id, changes: others });
  }
  return { events, rest };
}
