/**
 * Meta's coexistence: a number that is on the WhatsApp Business app AND the Cloud API (Embedded
 * Signup with `featureType: whatsapp_business_app_onboarding`, CLOUD_API.md §11). Four webhook
 * fields come for it besides `messages`, each translated by the Meta provider into one of these
 * provider-neutral events and stored here:
 * - `smb_message_echoes` → `owner-message`: the owner wrote from the phone app; stored as an
 *   OUTBOUND message `sentBy: owner-app` (idempotent on the wamid), and the AI steps back from
 *   the conversation (hand-off);
 * - `history` → `history`: past messages, imported idempotently; they never open the 24-hour
 *   window, never reach the AI and publish nothing; their ids sort by the BSP's timestamp, so the
 *   thread stays in time order whenever they arrive (before or after live messages);
 * - `smb_app_state_sync` → `contacts`: the owner's address-book names for his customers;
 * - `account_update` `PARTNER_REMOVED` → `partner-removed`: the connection is disabled with the
 *   reason, and `connection.changed` is announced.
 *
 * Pure: ports only (see `DynamoDbCoexistenceStore` for the writes).
 */
import { createHash } from 'node:crypto';
import type { Connection } from './connection';
import type { DisabledReason, DomainEvent } from './events';
import { handoffPauseHoursOf, ownerReplyPause, pausedEvent, type ConversationHandoffStore } from './handoff';
import { conversationIdFor, newMessageId } from './ids';
import type { Customer, InboundContent, ProviderName } from './message';
import type { Clock } from './ports';

/** A message the owner sent from the WhatsApp Business app (or a linked device). */
export interface OwnerMessage {
  provider: ProviderName;
  /** The wamid: the idempotency key. */
  externalId: string;
  /** The WABA id. */
  accountId: string;
  /** The customer it went to. */
  customer: Customer;
  content: InboundContent;
  /** When the owner sent it, by the BSP's clock (ISO). */
  sentAt?: string;
}

/** One message of the imported chat history. */
export interface HistoryMessage {
  /** `outbound`: the business wrote it (from the app, before the number joined Echo). */
  direction: 'inbound' | 'outbound';
  externalId: string;
  customer: Customer;
  content: InboundContent;
  /** By the BSP's clock (ISO); the message id sorts by it. */
  sentAt: string;
  /** The status the message had in the app (`read`, `delivered`, …), as the BSP reported it. */
  providerStatus?: string;
}

/** One `history` webhook item: a chunk of one phase, or the owner's refusal to share. */
export interface HistoryChunk {
  provider: ProviderName;
  accountId: string;
  /** 0 (day 0–1), 1 (day 1–90), 2 (day 90–180). */
  phase?: number;
  /** The chunk's number within its phase (chunks may arrive out of order). */
  chunkOrder?: number;
  /** 0..100 of the whole sync; 100 = complete. */
  progress?: number;
  messages: HistoryMessage[];
  /** Set when the owner declined to share the history (Meta error 2593109). */
  declined?: { code: string };
}

/** A contact of the owner's address book, added/edited (`name`) or removed. */
export interface ContactName {
  /** E.164, as conversations are keyed. */
  customerId: string;
  action: 'add' | 'remove';
  /** The full name (or the first name) the owner gave; absent on `remove`. */
  name?: string;
}

/** Meta removed the partner (us) from the business's WABA. */
export interface PartnerRemoval {
  wabaId: string;
  metaReason?: string;
  initiatedBy?: string;
  /** When Meta says it happened (ISO), else when we heard. */
  at?: string;
}

export type CoexistenceEvent =
  | { type: 'owner-message'; message: OwnerMessage }
  | { type: 'history'; chunk: HistoryChunk }
  | { type: 'contacts'; contacts: ContactName[] }
  | { type: 'partner-removed'; removal: PartnerRemoval };

/** Everything the webhook writes for one owner message. */
export interface OwnerMessageRecord {
  connection: Connection;
  message: OwnerMessage;
  conversationId: string;
  messageId: string;
  receivedAt: Date;
  dedupeExpiresAt: Date;
}

/** Everything the webhook writes for one history chunk. */
export interface HistoryRecord {
  connection: Connection;
  chunk: HistoryChunk;
  /** One per message of the chunk, in its order. */
  messages: Array<{ message: HistoryMessage; conversationId: string; messageId: string }>;
  receivedAt: Date;
  dedupeExpiresAt: Date;
}

/** Where coexistence events are written (DynamoDB: `DynamoDbCoexistenceStore`). */
export interface CoexistenceStore {
  /**
   * The owner's message as an outbound message (dedupe item + message in one transaction), then
   * the conversation (created if new, `lastMessageAt` moved only forward, the window untouched).
   * `duplicate` when the wamid was stored before (with the ids stored then).
   */
  recordOwnerMessage(record: OwnerMessageRecord): Promise<{ outcome: 'stored' | 'duplicate'; conversationId: string; messageId: string }>;
  /**
   * The chunk's messages, each at most once (a dedupe item per wamid, shared with live ingestion),
   * their conversations (created if new; `lastMessageAt` only forward; never the window, never
   * the name of an existing one), and the connection's import progress. Resolves with how many
   * messages were new.
   */
  recordHistory(record: HistoryRecord): Promise<{ stored: number; duplicates: number }>;
  /** Sets (or, on `remove`, clears) each conversation's `contactName`; creates no message. Resolves with how many were written. */
  setContactNames(connection: Connection, contacts: Array<ContactName & { conversationId: string }>, at: Date): Promise<number>;
  /**
   * Disables an ACTIVE connection with the reason, `connection.changed` as its outbox entry.
   * False when it was not active (a replay, or disabled already): nothing written, nothing announced.
   */
  disableConnection(connection: Connection, reason: DisabledReason, event: DomainEvent): Promise<boolean>;
}

export interface CoexistenceDeps {
  store: CoexistenceStore;
  handoff: ConversationHandoffStore;
  clock: Clock;
  /** How long dedupe items outlive their message (the webhook's `DEDUPE_TTL_DAYS`). */
  dedupeTtlMs: number;
}

/** What storing one event did, for the webhook's metrics and log. */
export type CoexistenceOutcome =
  | { type: 'owner-message'; outcome: 'stored' | 'duplicate'; conversationId: string; messageId: string; paused: boolean }
  | { type: 'history'; stored: number; duplicates: number; declined: boolean; progress?: number }
  | { type: 'contacts'; written: number }
  | { type: 'partner-removed'; disabled: boolean };

/** Meta's error code when the owner declined to share the chat history. */
export const HISTORY_DECLINED_CODE = '2593109';

/**
 * Stores one coexistence event for a connection. Every write is idempotent, so a retried webhook
 * (Meta retries for a week) completes what a failed attempt left and doubles nothing.
 * @example
 * const outcome = await storeCoexistenceEvent(connection, { type: 'owner-message', message }, deps);
 * // { type: 'owner-message', outcome: 'stored', paused: true, … }
 */
export async function storeCoexistenceEvent(connection: Connection, event: CoexistenceEvent, deps: CoexistenceDeps): Promise<CoexistenceOutcome> {
  const now = deps.clock.now();
  const dedupeExpiresAt = new Date(now.getTime() + deps.dedupeTtlMs);
  switch (event.type) {
    case 'owner-message': {
      const { message } = event;
      const conversationId = conversationIdFor(connection.connectionId, message.customer.id);
      const recorded = await deps.store.recordOwnerMessage({
        connection,
        message,
        conversationId,
        messageId: newMessageId(now),
        receivedAt: now,
        dedupeExpiresAt,
      });
      // On a duplicate too: the first delivery may have stored the message and failed before the
      // pause. The pause is `extend` from the same reply time, so a replay writes (and announces) nothing twice.
      const sentAt = message.sentAt ? new Date(message.sentAt) : now;
      const plan = ownerReplyPause({ repliedAt: Number.isNaN(sentAt.getTime()) ? now : sentAt, pauseHours: handoffPauseHoursOf(connection), by: 'owner-app', now });
      let paused = false;
      if (plan) {
        const subject = { businessId: connection.businessId, connectionId: connection.connectionId, conversationId };
        paused = (await deps.handoff.pause(conversationId, plan, pausedEvent(subject, plan)))?.applied ?? false;
      }
      return { type: 'owner-message', outcome: recorded.outcome, conversationId: recorded.conversationId, messageId: recorded.messageId, paused };
    }
    case 'history': {
      const { chunk } = event;
      const result = await deps.store.recordHistory({
        connection,
        chunk,
        messages: chunk.messages.map((message) => ({
          message,
          conversationId: conversationIdFor(connection.connectionId, message.customer.id),
          messageId: historyMessageId(message),
        })),
        receivedAt: now,
        dedupeExpiresAt,
      });
      return { type: 'history', ...result, declined: chunk.declined !== undefined, ...(chunk.progress !== undefined && { progress: chunk.progress }) };
    }
    case 'contacts': {
      const contacts = event.contacts.map((contact) => ({ ...contact, conversationId: conversationIdFor(connection.connectionId, contact.customerId) }));
      return { type: 'contacts', written: contacts.length > 0 ? await deps.store.setContactNames(connection, contacts, now) : 0 };
    }
    case 'partner-removed': {
      const { removal } = event;
      const reason: DisabledReason = {
        code: 'partner-removed',
        ...(removal.metaReason !== undefined && { metaReason: removal.metaReason }),
        ...(removal.initiatedBy !== undefined && { initiatedBy: removal.initiatedBy }),
        at: removal.at ?? now.toISOString(),
      };
      const changed: DomainEvent = {
        detailType: 'connection.changed',
        detail: {
          version: 1,
          businessId: connection.businessId,
          connectionId: connection.connectionId,
          provider: connection.provider,
          change: 'disabled',
          status: 'disabled',
          verified: false,
          disabledReason: reason,
          at: now.toISOString(),
        },
      };
      return { type: 'partner-removed', disabled: await deps.store.disableConnection(connection, reason, changed) };
    }
  }
}

/**
 * The id of an imported message: its time part is the BSP's timestamp (so the thread sorts by
 * when it was written, and imported history sorts before the live messages that came after it,
 * whichever arrived first), its random part derived from the wamid (so a replayed chunk writes
 * the very same key).
 * @example historyMessageId({ externalId: 'wamid.A', sentAt: '2026-05-01T10:00:00Z', … }) // '01HW…' (26 chars)
 */
export function historyMessageId(message: Pick<HistoryMessage, 'externalId' | 'sentAt'>): string {
  const at = new Date(message.sentAt);
  return newMessageId(Number.isNaN(at.getTime()) ? new Date(0) : at, digestBytes(message.externalId));
}

/** 10 bytes of SHA-256: the deterministic random part of a history message id. */
function digestBytes(text: string): Uint8Array {
  return createHash('sha256').update(text).digest().subarray(0, 10);
}
