import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { CoexistenceStore, ContactName, HistoryMessage, HistoryRecord, OwnerMessageRecord } from '../domain/coexistence';
import type { Connection } from '../domain/connection';
import { DELIVERY_STATUS_RANK } from '../domain/delivery-status';
import type { DisabledReason, DomainEvent } from '../domain/events';
import { dedupeKeyFor, outboundExternalKeyFor } from '../domain/ids';
import type { Customer } from '../domain/message';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { MAX_BATCH_TRANSACTION_ITEMS } from '../domain/ports';
import { forEachLimited } from '../shared/concurrency';
import { unavailable } from './aws-errors';

export interface DynamoDbCoexistenceTables {
  connections: string;
  conversations: string;
  messages: string;
  dedupe: string;
}

type Item = Record<string, NativeAttributeValue>;
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Writes of one request in flight at once (conversations of a history chunk, contacts). */
const CONCURRENCY = 8;

/**
 * Meta coexistence writes (see `lambdas/domain/coexistence.ts`).
 *
 * Idempotency: every message, owner's or imported, is written in one transaction with a dedupe
 * item keyed by its wamid (`out#meta#<wamid>` for the business's own messages — the same item the
 * send path writes, so a later status finds the message by it — and `meta#<wamid>` for the
 * customer's, the key live ingestion uses, so a message is never both imported and ingested).
 * Conversations are upserted with `if_not_exists` for what identifies them and `lastMessageAt`
 * moved only forward, in a write of their own whose refusal (a newer message is there) is fine:
 * history arriving after live messages never reorders or overwrites them, and never touches the
 * 24-hour window (`lastCustomerMessageAt`, `windowExpiresAt`).
 * @example const store = new DynamoDbCoexistenceStore(documents, { connections, conversations, messages, dedupe });
 */
export class DynamoDbCoexistenceStore implements CoexistenceStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: DynamoDbCoexistenceTables,
  ) {}

  async recordOwnerMessage(record: OwnerMessageRecord): Promise<{ outcome: 'stored' | 'duplicate'; conversationId: string; messageId: string }> {
    const { connection, message } = record;
    const receivedAt = record.receivedAt.toISOString();
    const messageItem: Item = {
      conversationId: record.conversationId,
      messageId: record.messageId,
      businessId: connection.businessId,
      connectionId: connection.connectionId,
      provider: message.provider,
      direction: 'outbound',
      sentBy: 'owner-app',
      externalId: message.externalId,
      type: message.content.type,
      content: message.content,
      customerId: message.customer.id,
      // Sent by the app: WhatsApp has it. Later statuses (delivered, read) move it forward.
      deliveryStatus: 'sent',
      deliveryStatusRank: DELIVERY_STATUS_RANK.sent,
      sentAt: message.sentAt ?? receivedAt,
      receivedAt,
      createdAt: receivedAt,
    };
    const written = await this.putOnce([{ dedupeKey: outboundExternalKeyFor(message.provider, message.externalId), item: messageItem }], record.dedupeExpiresAt);
    const ids = written[0]!;
    await this.upsertConversation(connection, ids.conversationId, message.customer, ids.receivedAt);
    return { outcome: ids.duplicate ? 'duplicate' : 'stored', conversationId: ids.conversationId, messageId: ids.messageId };
  }

  async recordHistory(record: HistoryRecord): Promise<{ stored: number; duplicates: number }> {
    const { connection } = record;
    const receivedAt = record.receivedAt.toISOString();
    const entries = record.messages.map(({ message, conversationId, messageId }) => ({
      dedupeKey: message.direction === 'outbound' ? outboundExternalKeyFor(connection.provider, message.externalId) : dedupeKeyFor(connection.provider, message.externalId),
      item: historyItem(connection, message, conversationId, messageId, receivedAt),
    }));
    let stored = 0;
    // Each transaction holds a dedupe item and a message per message.
    const perTransaction = Math.floor(MAX_BATCH_TRANSACTION_ITEMS / 2);
    for (let start = 0; start < entries.length; start += perTransaction) {
      const results = await this.putOnce(entries.slice(start, start + perTransaction), record.dedupeExpiresAt);
      stored += results.filter((result) => !result.duplicate).length;
    }
    // Each conversation once, with its latest imported message.
    const latest = new Map<string, { customer: Customer; at: string }>();
    for (const { message, conversationId } of record.messages) {
      const held = latest.get(conversationId);
      if (!held || held.at < message.sentAt) latest.set(conversationId, { customer: message.customer, at: message.sentAt });
    }
    await forEachLimited([...latest], CONCURRENCY, ([conversationId, { customer, at }]) => this.upsertConversation(connection, conversationId, customer, at));
    await this.recordHistoryProgress(connection, record, stored);
    return { stored, duplicates: record.messages.length - stored };
  }

  async setContactNames(connection: Connection, contacts: Array<ContactName & { conversationId: string }>, at: Date): Promise<number> {
    let written = 0;
    await forEachLimited(contacts, CONCURRENCY, async (contact) => {
      if (await this.setContactName(connection, contact, at.toISOString())) written++;
    });
    return written;
  }

  async disableConnection(connection: Connection, reason: DisabledReason, event: DomainEvent): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.connections,
          Key: { connectionId: connection.connectionId },
          UpdateExpression:
            'SET #status = :disabled, verified = :false, disabledAt = :now, disabledReason = :reason, updatedAt = :now, #outbox = :outbox',
          // Only an active connection: a replayed PARTNER_REMOVED writes and announces nothing twice.
          ConditionExpression: '#status = :active AND businessId = :business',
          ExpressionAttributeNames: { '#status': 'status', '#outbox': OUTBOX_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':disabled': 'disabled',
            ':active': 'active',
            ':false': false,
            ':now': (event.detail as { at: string }).at,
            ':reason': reason,
            ':business': connection.businessId,
            ':outbox': outboxEntryOf(event),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable('DynamoDB UpdateItem (connection disabled by the BSP)', error);
    }
  }

  /**
   * Dedupe items and messages, all in one transaction when none was stored before; when the
   * transaction is refused (a replayed chunk, a retried echo), message by message, where each
   * duplicate is found and answers with the ids stored first.
   */
  private async putOnce(
    entries: Array<{ dedupeKey: string; item: Item }>,
    dedupeExpiresAt: Date,
  ): Promise<Array<{ duplicate: boolean; conversationId: string; messageId: string; receivedAt: string }>> {
    if (entries.length === 0) return [];
    const fresh = entries.map(({ item }) => ({ duplicate: false, conversationId: String(item.conversationId), messageId: String(item.messageId), receivedAt: String(item.receivedAt) }));
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: entries.flatMap((entry) => this.messageItems(entry, dedupeExpiresAt)) }));
      return fresh;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw unavailable('DynamoDB TransactWriteItems (coexistence messages)', error);
      if (entries.length === 1) {
        const reason = error.CancellationReasons?.[0];
        if (reason?.Code !== 'ConditionalCheckFailed') throw unavailable('DynamoDB TransactWriteItems (coexistence message)', error);
        const stored = reason.Item ? (unmarshall(reason.Item) as Item) : await this.readDedupe(entries[0]!.dedupeKey);
        if (!stored) throw unavailable('DynamoDB GetItem (dedupe)', new Error('dedupe item vanished'));
        return [{ duplicate: true, conversationId: String(stored.conversationId), messageId: String(stored.messageId), receivedAt: String(stored.receivedAt) }];
      }
    }
    const results = [];
    for (const entry of entries) results.push(...(await this.putOnce([entry], dedupeExpiresAt)));
    return results;
  }

  private messageItems({ dedupeKey, item }: { dedupeKey: string; item: Item }, dedupeExpiresAt: Date): TransactItems {
    return [
      {
        Put: {
          TableName: this.tables.dedupe,
          Item: {
            dedupeKey,
            conversationId: item.conversationId,
            messageId: item.messageId,
            receivedAt: item.receivedAt,
            connectionId: item.connectionId,
            expiresAt: Math.floor(dedupeExpiresAt.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(dedupeKey)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: this.tables.messages, Item: item, ConditionExpression: 'attribute_not_exists(messageId)' } },
    ];
  }

  private async readDedupe(dedupeKey: string): Promise<Item | undefined> {
    try {
      return (await this.documents.send(new GetCommand({ TableName: this.tables.dedupe, Key: { dedupeKey }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (dedupe)', error);
    }
  }

  /**
   * Creates the conversation if new and moves `lastMessageAt` forward; nothing else. A refusal
   * means a later message is there already (its item has every identifying attribute): fine.
   */
  private async upsertConversation(connection: Connection, conversationId: string, customer: Customer, at: string): Promise<void> {
    const { sets, values } = identitySets(connection, customer, at);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.conversations,
          Key: { conversationId },
          UpdateExpression: `SET ${[...sets, 'lastMessageAt = :at'].join(', ')}`,
          ConditionExpression: 'attribute_not_exists(lastMessageAt) OR lastMessageAt < :at',
          ExpressionAttributeValues: { ...values, ':at': at },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw unavailable('DynamoDB UpdateItem (conversation, coexistence)', error);
    }
  }

  /**
   * The owner's name for a customer. The conversation is created when the contact comes first
   * (Meta syncs contacts and history side by side after onboarding): an item without
   * `lastMessageAt` is in no list until a message comes. `remove` clears only what the address
   * book set, on a conversation that exists.
   */
  private async setContactName(connection: Connection, contact: ContactName & { conversationId: string }, at: string): Promise<boolean> {
    const customer: Customer = { id: contact.customerId, isPhoneNumber: true, waId: contact.customerId.replace(/^\+/, '') };
    try {
      if (contact.action === 'add') {
        const { sets, values } = identitySets(connection, customer, at);
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tables.conversations,
            Key: { conversationId: contact.conversationId },
            UpdateExpression: `SET ${[...sets, 'contactName = :name', 'contactNameAt = :at'].join(', ')}`,
            ExpressionAttributeValues: { ...values, ':name': contact.name, ':at': at },
          }),
        );
      } else {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tables.conversations,
            Key: { conversationId: contact.conversationId },
            UpdateExpression: 'SET contactNameAt = :at REMOVE contactName',
            ConditionExpression: 'attribute_exists(contactName)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable('DynamoDB UpdateItem (conversation contact name)', error);
    }
  }

  /**
   * The connection's import progress: chunks as a string set (a replayed chunk adds nothing),
   * new messages added, and progress / phase / status moved only forward (chunks may arrive out
   * of order). A declined import is recorded as such whatever came before.
   */
  private async recordHistoryProgress(connection: Connection, record: HistoryRecord, stored: number): Promise<void> {
    const { chunk } = record;
    const now = record.receivedAt.toISOString();
    const key = { connectionId: connection.connectionId };
    const chunkId = `${chunk.phase ?? '-'}:${chunk.chunkOrder ?? '-'}`;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.connections,
          Key: key,
          UpdateExpression: `SET historyUpdatedAt = :now, historyStatus = if_not_exists(historyStatus, :importing) ADD historyMessages :stored${chunk.declined ? '' : ', historyChunks :chunk'}`,
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':now': now, ':importing': 'importing', ':stored': stored, ...(!chunk.declined && { ':chunk': new Set([chunkId]) }) },
        }),
      );
      if (chunk.declined) {
        await this.documents.send(
          new UpdateCommand({ TableName: this.tables.connections, Key: key, UpdateExpression: 'SET historyStatus = :declined', ExpressionAttributeValues: { ':declined': 'declined' } }),
        );
        return;
      }
      if (chunk.progress === undefined) return;
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.connections,
          Key: key,
          UpdateExpression: `SET historyProgress = :progress, historyStatus = :status${chunk.phase !== undefined ? ', historyPhase = :phase' : ''}`,
          ConditionExpression: '(attribute_not_exists(historyProgress) OR historyProgress <= :progress) AND (attribute_not_exists(historyStatus) OR historyStatus <> :declined)',
          ExpressionAttributeValues: {
            ':progress': chunk.progress,
            ':status': chunk.progress >= 100 ? 'complete' : 'importing',
            ':declined': 'declined',
            ...(chunk.phase !== undefined && { ':phase': chunk.phase }),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw unavailable('DynamoDB UpdateItem (history progress)', error);
    }
  }
}

/** What identifies a conversation, written only where missing. */
function identitySets(connection: Connection, customer: Customer, at: string): { sets: string[]; values: Item } {
  const sets = [
    'businessId = if_not_exists(businessId, :business)',
    'connectionId = if_not_exists(connectionId, :connection)',
    'provider = if_not_exists(provider, :provider)',
    'customerId = if_not_exists(customerId, :customer)',
    'customerIsPhoneNumber = if_not_exists(customerIsPhoneNumber, :isPhone)',
    'createdAt = if_not_exists(createdAt, :created)',
  ];
  const values: Item = {
    ':business': connection.businessId,
    ':connection': connection.connectionId,
    ':provider': connection.provider,
    ':customer': customer.id,
    ':isPhone': customer.isPhoneNumber,
    ':created': at,
  };
  if (customer.waId !== undefined) {
    sets.push('customerWaId = if_not_exists(customerWaId, :waId)');
    values[':waId'] = customer.waId;
  }
  return { sets, values };
}

/** An imported message: marked `imported`, the business's own as `owner-app`, never queued for anyone. */
function historyItem(connection: Connection, message: HistoryMessage, conversationId: string, messageId: string, receivedAt: string): Item {
  const outbound = message.direction === 'outbound';
  return {
    conversationId,
    messageId,
    businessId: connection.businessId,
    connectionId: connection.connectionId,
    provider: connection.provider,
    direction: message.direction,
    externalId: message.externalId,
    type: message.content.type,
    content: message.content,
    customerId: message.customer.id,
    imported: true,
    ...(outbound && { sentBy: 'owner-app', deliveryStatus: 'sent', deliveryStatusRank: DELIVERY_STATUS_RANK.sent, sentAt: message.sentAt }),
    ...(message.providerStatus !== undefined && { providerStatus: message.providerStatus }),
    // The thread shows when it was written, not when it reached us.
    createdAt: message.sentAt,
    receivedAt,
  };
}
