import type { Connection } from '../connection';
import type { DomainEvent } from '../events';
import type { DeliveryStatus, ProviderName } from '../message';
import type { OutboundContent, OutboundMessage, TemplateRef } from './contract';

/**
 * Where the send Lambda is with one outbound message (independent of `deliveryStatus`, which the
 * BSP's callbacks move):
 * - `pending`: recorded, not (or certainly not successfully) sent yet: the next attempt may send;
 * - `sending`: claimed for a BSP call whose outcome we do not know: never sent again; a status
 *   callback or the outcome watchdog settles it;
 * - `accepted`: the BSP took it (it has an `externalId`);
 * - `failed`: it will not be sent (`errorReason` says why).
 */
export type SendState = 'pending' | 'sending' | 'accepted' | 'failed';

/** What was sent instead of the original content. */
export type FallbackKind = 'template' | 'plain-text';

/** The outbound message item in the `messages` table. */
export interface OutboundMessageItem {
  conversationId: string;
  messageId: string;
  direction: 'outbound';
  businessId: string;
  connectionId: string;
  provider: ProviderName;
  /** The customer (E.164 or business-scoped user id) the message goes to. */
  customerId: string;
  idempotencyKey: string;
  /** The contract content (for a split text: this part's text). */
  content: OutboundContent;
  type: OutboundContent['type'];
  deliveryStatus: DeliveryStatus;
  deliveryStatusRank: number;
  sendState: SendState;
  /** BSP calls made so far: the retry budget counts these, never the queue's receives. */
  attempts: number;
  /** When the last BSP call started (the claim). */
  lastAttemptAt?: string;
  /** While `sending`: when an outcome that is still unknown is given up as `outcome-unknown`. */
  outcomeDeadline?: string;
  externalId?: string;
  /** The BSP's last status word, when a status callback came (it may settle a `sending` message). */
  providerStatus?: string;
  errorCode?: string;
  /** Of the last attempt the BSP refused temporarily (kept apart from the callbacks' errorCode). */
  lastErrorCode?: string;
  lastErrorReason?: string;
  /** A sentence a business can read. */
  errorReason?: string;
  /** Why it failed, machine-readable (`window-closed`, `permanent`, …: the `send.failed` reason). */
  failureReason?: string;
  fallback?: FallbackKind;
  /** Kept so that a late BSP refusal (status callback) can still fall back. */
  fallbackTemplate?: TemplateRef;
  fallbackText?: string;
  /** 1-based, with `partCount`, when a long text was split. */
  partIndex?: number;
  partCount?: number;
  createdAt: string;
  updatedAt: string;
  metadata?: Record<string, string>;
}

/** Why a message ends `failed`: `reason` is machine-readable, `errorReason` a sentence. */
export interface OutboundFailure {
  reason: string;
  errorReason: string;
  errorCode?: string;
}

export interface MessageKey {
  conversationId: string;
  messageId: string;
}

/** What the send path needs to know about a conversation. */
export interface OutboundConversation {
  conversationId: string;
  businessId: string;
  connectionId: string;
  customerId: string;
  /** Absent when the customer never wrote: the window is closed. */
  lastCustomerMessageAt?: string;
}

/** A conversation the send Lambda creates when a business writes first (template to a new number). */
export interface NewConversation {
  conversationId: string;
  businessId: string;
  connectionId: string;
  provider: ProviderName;
  customerId: string;
  customerIsPhoneNumber: boolean;
}

/** Options of a rich message sent as numbered text, so that "2" from the customer can be understood. */
export interface PendingOptions {
  messageId: string;
  options: Array<{ n: number; id: string; title: string }>;
}

export interface RecordOutboundInput {
  /** `outbound#${businessId}#${idempotencyKey}`: one per logical message, whatever its parts. */
  dedupeKey: string;
  dedupeExpiresAt: Date;
  /** In send order; all in one transaction with the dedupe item. */
  messages: OutboundMessageItem[];
  /** Created (only fields that are missing are set) in the same transaction. */
  conversation?: NewConversation;
  /**
   * The first part is recorded already claimed (`sending`, one attempt, its outcome deadline): the
   * BSP call follows at once, and the claim costs no write of its own.
   */
  claimFirst?: { at: Date; outcomeDeadline: Date; fallback?: FallbackKind };
  /**
   * Events to commit with the parts they announce (the outbox), by message id: e.g. `send.failed`
   * of a part recorded `failed` (window closed at planning time). The event relay publishes them.
   */
  events?: Record<string, DomainEvent>;
}

export type RecordOutboundResult =
  | { outcome: 'recorded' }
  /** The idempotency key was recorded before: the message ids it was recorded under. */
  | { outcome: 'duplicate'; conversationId: string; messageIds: string[] };

/** Outbound messages, their idempotency markers, and the conversation fields the send path touches. */
export interface OutboundStore {
  getConversation(conversationId: string): Promise<OutboundConversation | undefined>;
  /** Atomically: the dedupe item (must not exist), every part, the conversation if new. */
  record(input: RecordOutboundInput): Promise<RecordOutboundResult>;
  /** Consistent reads, in the order asked; missing ones are left out. */
  getMessages(conversationId: string, messageIds: string[]): Promise<OutboundMessageItem[]>;
  /**
   * `pending` → `sending`, attempts + 1, outcomePending/outcomeDeadline set, and the fallback now
   * used, if any. False when the message is not `pending` any more (another attempt got there first).
   */
  claim(key: MessageKey, at: Date, outcomeDeadline: Date, fallback?: FallbackKind): Promise<boolean>;
  /**
   * `sending` → `accepted` with the BSP's id; removes outcomePending/outcomeDeadline; and maps the
   * BSP's id to our key, so that a status that does not echo our key still finds the message.
   */
  markAccepted(key: MessageKey, externalId: string, providerStatus: string, at: Date, provider: ProviderName): Promise<void>;
  /**
   * `sending` → `pending` (the BSP certainly did not take it), recording the refusal as
   * `lastErrorCode`/`lastErrorReason` and optionally switching to a fallback; removes
   * outcomePending/outcomeDeadline. False when the message was not `sending`.
   */
  release(key: MessageKey, at: Date, change?: { errorCode?: string; errorReason?: string; fallback?: FallbackKind }): Promise<boolean>;
  /**
   * → `failed` (sendState and deliveryStatus) from one of `from`; removes outcomePending. False
   * when the message was in another state (or a status moved it past `queued`).
   * With `event` (its `send.failed`), the event is written in the same update (the outbox) and
   * exists exactly when the change applied; nothing needs publishing afterwards.
   */
  markFailed(key: MessageKey, failure: OutboundFailure, at: Date, from: SendState[], event?: DomainEvent): Promise<boolean>;
  setPendingOptions(conversationId: string, pending: PendingOptions, at: Date): Promise<void>;
  /** Our message that a BSP id belongs to (the item `markAccepted` writes), if any. */
  findKeyByExternalId(provider: ProviderName, externalId: string): Promise<MessageKey | undefined>;
}

/** A business's connections, for messages that name none. */
export interface SendConnections {
  get(connectionId: string): Promise<Connection | undefined>;
  listByBusiness(businessId: string): Promise<Connection[]>;
}

/** The outbound FIFO queue, as a producer sees it. */
export interface OutboundQueue {
  /** `groupId` is the conversation id. */
  enqueue(message: OutboundMessage, groupId: string): Promise<void>;
}

/** The outcome watchdog's view of the messages table (the sparse `byOutcomeDeadline` index). */
export interface OutcomeWatchdogStore {
  /** Messages whose BSP call is still unsettled at `now`, oldest deadline first. */
  overdue(now: Date, limit: number): Promise<MessageKey[]>;
  /**
   * `sending` with outcomePending and no status yet → `failed` (`outcome-unknown`). Returns the
   * message as it now is, or undefined when a callback (or anything else) settled it first. With
   * `eventFor`, the message is read first and its `send.failed` is written in the same conditional
   * update (the outbox).
   */
  expire(key: MessageKey, at: Date, eventFor?: (item: OutboundMessageItem) => DomainEvent): Promise<OutboundMessageItem | undefined>;
}
