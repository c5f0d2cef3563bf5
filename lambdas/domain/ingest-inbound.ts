import type { Connection, ConnectionDirectory } from './connection';
import type { DomainEvent } from './events';
import { conversationIdFor, newMessageId, orderedMessageIds, queueDeduplicationIdFor } from './ids';
import type { InboundQueueMessage } from './inbound-queue-message';
import type { InboundMessage } from './message';
import { forEachLimited } from '../shared/concurrency';
import { MAX_BATCH_TRANSACTION_ITEMS, type Clock, type InboundQueue, type InboundRecord, type MessageStore } from './ports';

/**
 * `message.received` is not published here: it is written on the message item in the ingestion
 * transaction (the outbox) and the event relay publishes it from the table's stream, so the event
 * exists exactly when the message does, whatever happens to this function after the commit.
 */
export interface IngestInboundDeps {
  store: MessageStore;
  queue: InboundQueue;
  connections: ConnectionDirectory;
  clock: Clock;
  /** How long the dedupe item outlives the message (BSP retries and reconciliation stay inside it). */
  dedupeTtlMs: number;
}

/** Transactions of one request in flight at once: DynamoDB takes more, the Lambda's sockets need not. */
const BATCH_CONCURRENCY = 8;

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
    event: receivedEvent(connection, message, queueMessageOf(connection, message, fresh)),
  });
  // A replay must enqueue exactly what the first delivery enqueued, so it reuses the stored ids
  // (its event was committed with the first delivery's message).
  const ids = recorded.outcome === 'duplicate' ? recorded : fresh;

  const queueMessage = queueMessageOf(connection, message, ids);
  await deps.queue.enqueue(queueMessage, queueDeduplicationIdFor(message.provider, message.externalId));
  if (recorded.outcome === 'stored') {
    await deps.connections.touchLastInbound(connection.connectionId, receivedAt).catch(() => undefined);
  }
  return { outcome: recorded.outcome, conversationId: ids.conversationId, messageId: ids.messageId };
}

/**
 * Stores the messages of one webhook request (a Cloud API batch of up to 1,000) with as few calls
 * as the limits allow, exactly once each, in order per conversation.
 *
 * The messages are cut into chunks that each fit one `TransactWriteItems` (2 items per message, 1
 * per conversation; a conversation is never split across chunks, so its messages stay in order),
 * stored all or nothing, then enqueued with `SendMessageBatch` in their order. A chunk whose
 * transaction is refused (a message of it was stored before: the BSP retried the request) is
 * stored message by message through {@link ingestInbound} instead, where each duplicate is found
 * and re-enqueued with its first ids. A failure anywhere throws: the caller answers 5xx, and the
 * BSP's retry completes what is missing without doubling anything.
 * @example
 * const results = await ingestInboundBatch(connection, messages, deps); // one result per message, in order
 */
export async function ingestInboundBatch(
  connection: Connection,
  messages: InboundMessage[],
  deps: IngestInboundDeps,
): Promise<IngestInboundResult[]> {
  if (messages.length === 1) return [await ingestInbound(connection, messages[0]!, deps)];
  const receivedAt = deps.clock.now();
  // One instant for the whole request, and ids that sort in the BSP's order within it.
  const messageIds = orderedMessageIds(receivedAt, messages.length);
  const records: InboundRecord[] = messages.map((message, index) => {
    const ids = { conversationId: conversationIdFor(connection.connectionId, message.customer.id), messageId: messageIds[index]!, receivedAt: receivedAt.toISOString() };
    return {
      connection,
      message,
      conversationId: ids.conversationId,
      messageId: ids.messageId,
      receivedAt,
      dedupeExpiresAt: new Date(receivedAt.getTime() + deps.dedupeTtlMs),
      event: receivedEvent(connection, message, queueMessageOf(connection, message, ids)),
    };
  });
  const results = new Map<InboundRecord, IngestInboundResult>();
  const storeChunk = async (chunk: InboundRecord[]): Promise<void> => {
    const { outcome } = await deps.store.recordInboundBatch(chunk);
    if (outcome === 'conflict') {
      for (const record of chunk) results.set(record, await ingestInbound(connection, record.message, deps));
      return;
    }
    const ids = (record: InboundRecord) => ({ conversationId: record.conversationId, messageId: record.messageId, receivedAt: receivedAt.toISOString() });
    const queued = chunk.map((record) => queueMessageOf(connection, record.message, ids(record)));
    await deps.queue.enqueueBatch(
      queued.map((message) => ({ message, deduplicationId: queueDeduplicationIdFor(message.provider, message.externalId) })),
    );
    for (const record of chunk) results.set(record, { outcome: 'stored', conversationId: record.conversationId, messageId: record.messageId });
  };
  // Chunks of different conversations side by side; the chunks of one long conversation in order.
  await forEachLimited(chunkChains(records), BATCH_CONCURRENCY, async (chain) => {
    for (const chunk of chain) await storeChunk(chunk);
  });
  await deps.connections.touchLastInbound(connection.connectionId, receivedAt).catch(() => undefined);
  return records.map((record) => results.get(record)!);
}

/**
 * Chunks that each fit one transaction, in chains: a conversation lies whole inside one chunk,
 * unless it alone is too long for one (≥ 50 messages of one customer in one request); then its
 * chunks form one chain, stored one after the other so that its order holds.
 */
function chunkChains(records: InboundRecord[]): InboundRecord[][][] {
  const byConversation = new Map<string, InboundRecord[]>();
  for (const record of records) {
    const lane = byConversation.get(record.conversationId);
    if (lane) lane.push(record);
    else byConversation.set(record.conversationId, [record]);
  }
  const perChunk = Math.floor((MAX_BATCH_TRANSACTION_ITEMS - 1) / 2);
  const chains: InboundRecord[][][] = [];
  let shared: InboundRecord[] = [];
  let items = 0;
  for (const lane of byConversation.values()) {
    if (lane.length > perChunk) {
      const chain: InboundRecord[][] = [];
      for (let start = 0; start < lane.length; start += perChunk) chain.push(lane.slice(start, start + perChunk));
      chains.push(chain);
      continue;
    }
    if (items + 2 * lane.length + 1 > MAX_BATCH_TRANSACTION_ITEMS) {
      chains.push([shared]);
      shared = [];
      items = 0;
    }
    shared.push(...lane);
    items += 2 * lane.length + 1;
  }
  if (shared.length > 0) chains.push([shared]);
  return chains;
}

function queueMessageOf(
  connection: Connection,
  message: InboundMessage,
  ids: { conversationId: string; messageId: string; receivedAt: string },
): InboundQueueMessage {
  return {
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
}

function receivedEvent(connection: Connection, message: InboundMessage, queued: InboundQueueMessage): DomainEvent {
  return {
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
}
