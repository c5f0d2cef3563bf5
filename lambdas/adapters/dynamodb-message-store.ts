import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { DELIVERY_STATUS_RANK, maxRankAllowingUpdateTo } from '../domain/delivery-status';
import { dedupeKeyFor, outboundExternalKeyFor } from '../domain/ids';
import type { MessageKey } from '../domain/bsp';
import type { DeliveryStatus, ProviderName } from '../domain/message';
import type {
  InboundRecord,
  MessageStore,
  RecordInboundResult,
  StatusChange,
  StatusChangeResult,
} from '../domain/ports';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { windowAfter } from '../domain/window';
import { unavailable } from './aws-errors';

export interface DynamoDbMessageStoreTables {
  conversations: string;
  messages: string;
  dedupe: string;
}

type Item = Record<string, NativeAttributeValue>;
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const DEDUPE = 0;
const CONVERSATION = 2;
const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * Messages, conversations and dedupe items in DynamoDB.
 * @example
 * const store = new DynamoDbMessageStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), tables);
 */
export class DynamoDbMessageStore implements MessageStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: DynamoDbMessageStoreTables,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * One `TransactWriteItems`: the dedupe item (must not exist), the message, and the conversation
   * with its window moved forward. If the conversation already holds a later customer message
   * (two deliveries racing), the transaction is retried without moving the window: the message
   * is stored either way, and the window never moves back.
   */
  async recordInbound(record: InboundRecord): Promise<RecordInboundResult> {
    let moveWindow = true;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.send(new TransactWriteCommand({ TransactItems: this.inboundItems(record, moveWindow) }));
        return { outcome: 'stored' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw unavailable('DynamoDB TransactWriteItems', error);
        const reasons = error.CancellationReasons ?? [];
        if (reasons[DEDUPE]?.Code === 'ConditionalCheckFailed') return this.duplicateOf(record, reasons[DEDUPE]);
        if (moveWindow && reasons[CONVERSATION]?.Code === 'ConditionalCheckFailed') {
          moveWindow = false;
          continue;
        }
        // Concurrent transactions on the same items (a BSP delivering one message twice at once)
        // cancel each other; a short jittered retry lets one win and the other see the duplicate.
        if (reasons.some((r) => r.Code === 'TransactionConflict') && attempt < MAX_CONFLICT_ATTEMPTS) {
          await this.sleep(Math.random() * 25 * 2 ** attempt);
          continue;
        }
        throw unavailable('DynamoDB TransactWriteItems', error);
      }
    }
  }

  /**
   * One `TransactWriteItems` for several messages: each dedupe item and message, and each
   * conversation once, with its latest message (the records share one instant, so the window moves
   * to it). Any cancellation means something was there already or raced: `conflict`, nothing
   * written, and the caller stores the messages one by one.
   */
  async recordInboundBatch(records: InboundRecord[]): Promise<{ outcome: 'stored' | 'conflict' }> {
    const latestOfConversation = new Map<string, InboundRecord>();
    for (const record of records) latestOfConversation.set(record.conversationId, record);
    const items: TransactItems = [
      ...records.flatMap((record) => this.inboundItems(record, false)),
      ...[...latestOfConversation.values()].map((record) => ({ Update: this.conversationUpdate(record, record.receivedAt.toISOString()) })),
    ];
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
      return { outcome: 'stored' };
    } catch (error) {
      if (error instanceof TransactionCanceledException) return { outcome: 'conflict' };
      throw unavailable('DynamoDB TransactWriteItems (batch)', error);
    }
  }

  private inboundItems(record: InboundRecord, moveWindow: boolean): TransactItems {
    const { connection, message, conversationId, messageId } = record;
    const receivedAt = record.receivedAt.toISOString();
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tables.dedupe,
          Item: {
            dedupeKey: dedupeKeyFor(message.provider, message.externalId),
            conversationId,
            messageId,
            receivedAt,
            connectionId: connection.connectionId,
            expiresAt: Math.floor(record.dedupeExpiresAt.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(dedupeKey)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: this.tables.messages,
          Item: withoutUndefined({
            conversationId,
            messageId,
            businessId: connection.businessId,
            connectionId: connection.connectionId,
            provider: message.provider,
            direction: 'inbound',
            externalId: message.externalId,
            type: message.content.type,
            content: message.content,
            customerId: message.customer.id,
            replyToExternalId: message.replyToExternalId,
            forwarded: message.forwarded,
            referral: message.referral,
            receivedAt,
            createdAt: receivedAt,
            // `message.received`, committed with the message: the event relay publishes it.
            [OUTBOX_ATTRIBUTE]: record.event && outboxEntryOf(record.event),
          }),
          ConditionExpression: 'attribute_not_exists(messageId)',
        },
      },
    ];
    if (moveWindow) items.push({ Update: this.conversationUpdate(record, receivedAt) });
    return items;
  }

  private conversationUpdate(record: InboundRecord, receivedAt: string) {
    const { connection, message, conversationId, messageId } = record;
    const window = windowAfter(record.receivedAt, conversationId);
    const values: Item = {
      ':business': connection.businessId,
      ':connection': connection.connectionId,
      ':provider': message.provider,
      ':customer': message.customer.id,
      ':isPhone': message.customer.isPhoneNumber,
      ':at': receivedAt,
      ':expiresAt': window.windowExpiresAt,
      ':bucket': window.windowExpiryBucket,
      ':state': window.windowState,
      ':message': messageId,
    };
    const sets = [
      'businessId = :business',
      'connectionId = :connection',
      'provider = :provider',
      'customerId = :customer',
      'customerIsPhoneNumber = :isPhone',
      'lastCustomerMessageAt = :at',
      'lastMessageAt = :at',
      'windowExpiresAt = :expiresAt',
      'windowExpiryBucket = :bucket',
      'windowState = :state',
      'lastInboundMessageId = :message',
      'createdAt = if_not_exists(createdAt, :at)',
    ];
    if (message.customer.waId !== undefined) {
      sets.push('customerWaId = :waId');
      values[':waId'] = message.customer.waId;
    }
    if (message.customer.profileName !== undefined) {
      sets.push('customerName = :name');
      values[':name'] = message.customer.profileName;
    }
    return {
      TableName: this.tables.conversations,
      Key: { conversationId },
      UpdateExpression: `SET ${sets.join(', ')}`,
      // Moved only forward: an older message that arrives late must not shorten the window.
      ConditionExpression: 'attribute_not_exists(lastCustomerMessageAt) OR lastCustomerMessageAt < :at',
      ExpressionAttributeValues: values,
    };
  }

  private async duplicateOf(record: InboundRecord, reason: CancellationReason): Promise<RecordInboundResult> {
    const stored = reason.Item
      ? (unmarshall(reason.Item) as Item)
      : await this.readDedupeItem(dedupeKeyFor(record.message.provider, record.message.externalId));
    if (!stored) throw unavailable('DynamoDB GetItem (dedupe)', new Error('dedupe item vanished'));
    return {
      outcome: 'duplicate',
      conversationId: String(stored.conversationId),
      messageId: String(stored.messageId),
      receivedAt: String(stored.receivedAt),
    };
  }

  private async readDedupeItem(dedupeKey: string): Promise<Item | undefined> {
    try {
      const result = await this.documents.send(
        new GetCommand({ TableName: this.tables.dedupe, Key: { dedupeKey }, ConsistentRead: true }),
      );
      return result.Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (dedupe)', error);
    }
  }

  /**
   * The status only moves forward, the message must belong to the connection that sent the
   * callback, and the BSP id must match the one we recorded (or be recorded now, when the callback
   * beats the send Lambda's own write).
   */
  /**
   * Our key for one of our messages by the BSP's id (the item `markAccepted` writes beside the
   * message). Undefined when the BSP's id is not one of ours, or its send is not recorded yet.
   */
  async findOutboundKey(provider: ProviderName, externalId: string): Promise<MessageKey | undefined> {
    const item = await this.readDedupeItem(outboundExternalKeyFor(provider, externalId));
    if (typeof item?.conversationId !== 'string' || typeof item.messageId !== 'string') return undefined;
    return { conversationId: item.conversationId, messageId: item.messageId };
  }

  async applyStatus(change: StatusChange): Promise<StatusChangeResult> {
    const at = change.at.toISOString();
    const values: Item = {
      ':status': change.status,
      ':rank': DELIVERY_STATUS_RANK[change.status],
      ':maxRank': maxRankAllowingUpdateTo(change.status),
      ':providerStatus': change.providerStatus,
      ':at': at,
      ':connection': change.connectionId,
      ':externalId': change.externalId,
    };
    const sets = [
      'deliveryStatus = :status',
      'deliveryStatusRank = :rank',
      'providerStatus = :providerStatus',
      'statusUpdatedAt = :at',
      '#statusAt = :at',
      'externalId = if_not_exists(externalId, :externalId)',
    ];
    if (change.errorCode !== undefined) {
      sets.push('errorCode = :errorCode');
      values[':errorCode'] = change.errorCode;
    }
    if (change.errorMessage !== undefined) {
      sets.push('errorReason = :errorReason');
      values[':errorReason'] = change.errorMessage;
    }
    if (change.pricingCategory !== undefined) {
      sets.push('pricingCategory = :pricingCategory');
      values[':pricingCategory'] = change.pricingCategory;
    }
    if (change.event !== undefined) {
      // `message.status`, in the same update: it exists exactly when the status applied.
      sets.push(`${OUTBOX_ATTRIBUTE} = :outbox`);
      values[':outbox'] = outboxEntryOf(change.event);
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.messages,
          Key: { conversationId: change.conversationId, messageId: change.messageId },
          // Any status settles an uncertain send: the BSP has the message, so the outcome watchdog
          // must not fail it (the sparse byOutcomeDeadline index entry disappears with these).
          UpdateExpression: `SET ${sets.join(', ')} REMOVE outcomePending, outcomeDeadline`,
          ConditionExpression:
            'attribute_exists(messageId) AND connectionId = :connection' +
            ' AND (attribute_not_exists(externalId) OR externalId = :externalId)' +
            ' AND (attribute_not_exists(deliveryStatusRank) OR deliveryStatusRank < :maxRank)',
          ExpressionAttributeNames: { '#statusAt': `${change.status}At` },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'applied' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw unavailable('DynamoDB UpdateItem (status)', error);
      const current = error.Item ? (unmarshall(error.Item) as Item) : undefined;
      const ours =
        current !== undefined &&
        current.connectionId === change.connectionId &&
        (current.externalId === undefined || current.externalId === change.externalId);
      if (!ours) return { outcome: 'unknown' };
      return { outcome: 'stale', currentStatus: current.deliveryStatus as DeliveryStatus | undefined };
    }
  }
}

function withoutUndefined(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}
