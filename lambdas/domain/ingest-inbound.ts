import type { Connection, ConnectionDirectory } from './connection';
import type { DomainEvent } from './events';
import { conversationIdFor, newMessageId, queueDeduplicationIdFor } from './ids';
import type { InboundQueueMessage } from './inbound-queue-message';
import type { InboundMessage } from './message';
import type { Clock, EventPublisher, InboundQueue, MessageStore } from './ports';

export interface IngestInboundDeps {
  store: MessageStore;
  queue: InboundQueue;
  events: EventPublisher;
  connections: ConnectionDirectory;
  clock: Clock;
  /** How long the dedupe item outlives the message (BSP retries and reconciliation stay inside it). */
  dedupeTtlMs: number;
  /** Called when publishing the event failed; the message itself is already durable. */
  onEventPublishFailed?: (error: unknown) => void;
}

export interface IngestInboundResult {
  outcome: 'stored' | 'duplicate';
  conversationId: string;
  messageId: string;
}

/**
 * Stores an inbound message and hands it to the AI, exactly once.
 *
 * Order matters: the store transaction first (the dedupe item makes a replay detectable), then the
 * queue. If the queue call fails the caller answers 5xx; the BSP's retry (or the reconciler) then
 * finds the dedupe item and re-enqueues with the same deduplication id, so nothing is half-written
 * that a retry cannot complete. The event and `lastInboundAt` are not part of the durability contract,
 * so their failures are reported (metric, alarm) but never fail the webhook.
 * @example
 * const result = await ingestInbound(connection, message, deps);
 * // result.outcome === 'stored' the first time, 'duplicate' on every replay
 */
export async function ingestInbound(
  connection: Connection,
  message: InboundMessage,
  deps: IngestInboundDeps,
): Promise<IngestInboundResult> {
  const receivedAt = deps.clock.now();
  const fresh = {
    conversationId: conversationIdFor(connection.connectionId, message.customer.id),
    messageId: newMessageId(receivedAt),
    receivedAt: receivedAt.toISOString(),
  };

  const recorded = await deps.store.recordInbound({
    connection,
    message,
    conversationId: fresh.conversationId,
    messageId: fresh.messageId,
    receivedAt,
    dedupeExpiresAt: new Date(receivedAt.getTime() + deps.dedupeTtlMs),
  });
  // A replay must enqueue exactly what the first delivery enqueued, so it reuses the stored ids.
  const ids = recorded.outcome === 'duplicate' ? recorded : fresh;

  const queueMessage: InboundQueueMessage = {
    version: 1,
    kind: 'inbound.message',
    businessId: connection.businessId,
    connectionId: connection.connectionId,
    conversationId: ids.conversationId,
    messageId: ids.messageId,
    provider: message.provider,
    externalId: message.externalId,
    receivedAt: ids.receivedAt,
    customer: {
      id: message.customer.id,
      isPhoneNumber: message.customer.isPhoneNumber,
      ...(message.customer.waId !== undefined && { waId: message.customer.waId }),
      ...(message.customer.userId !== undefined && { userId: message.customer.userId }),
      ...(message.customer.profileName !== undefined && { profileName: message.customer.profileName }),
    },
    content: { ...message.content },
    ...(message.replyToExternalId !== undefined && { replyToExternalId: message.replyToExternalId }),
  };
  // The event goes out beside the enqueue, not after it, to keep the webhook at two sequential
  // round trips. It is published on replays too (a first attempt may have stored the message and
  // failed before this point): events are at-least-once, as EventBridge is anyway, and `messageId`
  // is their idempotency key.
  await Promise.all([
    deps.queue.enqueue(queueMessage, queueDeduplicationIdFor(message.provider, message.externalId)),
    publishReceived(connection, message, queueMessage, deps),
  ]);
  if (recorded.outcome === 'stored') {
    await deps.connections.touchLastInbound(connection.connectionId, receivedAt).catch(() => undefined);
  }
  return { outcome: recorded.outcome, conversationId: ids.conversationId, messageId: ids.messageId };
}

async function publishReceived(
  connection: Connection,
  message: InboundMessage,
  queued: InboundQueueMessage,
  deps: IngestInboundDeps,
): Promise<void> {
  const event: DomainEvent = {
    detailType: 'message.received',
    detail: {
      version: 1,
      businessId: connection.businessId,
      connectionId: connection.connectionId,
      conversationId: queued.conversationId,
      messageId: queued.messageId,
      provider: message.provider,
      externalId: message.externalId,
      receivedAt: queued.receivedAt,
      customer: message.customer,
      content: message.content,
      ...(message.replyToExternalId !== undefined && { replyToExternalId: message.replyToExternalId }),
    },
  };
  try {
    await deps.events.publish([event]);
  } catch (error) {
    deps.onEventPublishFailed?.(error);
  }
}
