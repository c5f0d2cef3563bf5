import type { Connection } from './connection';
import type { DeliveryStatus, InboundMessage, ProviderName } from './message';
import type { DomainEvent } from './events';
import type { InboundQueueMessage } from './inbound-queue-message';

/** Everything ingestion writes for one inbound message, in one transaction. */
export interface InboundRecord {
  connection: Connection;
  message: InboundMessage;
  conversationId: string;
  messageId: string;
  receivedAt: Date;
  dedupeExpiresAt: Date;
  /** `message.received`, written on the message item in the same transaction (the outbox). */
  event?: DomainEvent;
}

export type RecordInboundResult =
  | { outcome: 'stored' }
  /** The BSP delivered this message before: the ids and time we stored then. */
  | { outcome: 'duplicate'; conversationId: string; messageId: string; receivedAt: string };

/** Stores inbound messages and applies status updates. */
export interface MessageStore {
  /**
   * Atomically: dedupe item (fails if present), message, conversation upsert (window moved only
   * forward). Throws `DependencyUnavailableError` when the store cannot be reached.
   */
  recordInbound(record: InboundRecord): Promise<RecordInboundResult>;
  /**
   * Atomically, for several messages of one request: every dedupe item (none may exist), every
   * message, and each conversation once (its latest message). `conflict` when anything was there
   * already or raced (a retried batch): nothing was written, and the caller stores the messages one
   * by one, where each duplicate is found. At most {@link MAX_BATCH_TRANSACTION_ITEMS} items.
   */
  recordInboundBatch(records: InboundRecord[]): Promise<{ outcome: 'stored' | 'conflict' }>;
  /** One conditional update by primary key; never a read first. */
  applyStatus(update: StatusChange): Promise<StatusChangeResult>;
}

/** A status update addressed by our own message key, which the BSP echoes back to us. */
export interface StatusChange {
  conversationId: string;
  messageId: string;
  connectionId: string;
  provider: ProviderName;
  externalId: string;
  status: DeliveryStatus;
  providerStatus: string;
  errorCode?: string;
  errorMessage?: string;
  /** The BSP's pricing category for the message (Cloud API), kept on the message. */
  pricingCategory?: string;
  at: Date;
  /** `message.status`, written on the message in the same update (the outbox): published only if it applies. */
  event?: DomainEvent;
}

/** `stale`: the message is already at or past that status. `unknown`: no such message for the connection. */
export type StatusChangeResult =
  | { outcome: 'applied'; businessId?: string }
  | { outcome: 'stale'; currentStatus?: DeliveryStatus }
  | { outcome: 'unknown' };

export interface InboundQueue {
  /** Enqueues for the AI; FIFO group = conversation; deduplication id derived from the BSP's id. */
  enqueue(message: InboundQueueMessage, deduplicationId: string): Promise<void>;
  /** The same for several messages, in the order given (a conversation's messages keep it). */
  enqueueBatch(entries: Array<{ message: InboundQueueMessage; deduplicationId: string }>): Promise<void>;
}

/** DynamoDB's limit on the actions of one `TransactWriteItems`. */
export const MAX_BATCH_TRANSACTION_ITEMS = 100;

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}
