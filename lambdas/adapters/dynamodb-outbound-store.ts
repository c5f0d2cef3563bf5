import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import * as z from 'zod';
import { connectionFromItem, type Connection } from '../domain/connection';
import { DELIVERY_STATUS_RANK } from '../domain/delivery-status';
import type { DomainEvent } from '../domain/events';
import { outboundExternalKeyFor } from '../domain/ids';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { OUTCOME_PENDING_SHARDS, shardedPartition, shardedPartitions } from '../domain/write-shards';
import { forEachLimited } from '../shared/concurrency';
import type { ProviderName } from '../domain/providers';
import type {
  FallbackKind,
  MessageKey,
  OutboundConversation,
  OutboundFailure,
  OutboundMessageItem,
  OutboundStore,
  OutcomeWatchdogStore,
  PendingOptions,
  RecordOutboundInput,
  RecordOutboundResult,
  SendState,
} from '../domain/outbound/ports';
import { unavailable } from './aws-errors';

export interface DynamoDbOutboundStoreTables {
  messages: string;
  dedupe: string;
  conversations: string;
  /** Needed for `listByBusiness` only. */
  connections?: string;
}

type Item = Record<string, NativeAttributeValue>;
type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** The sparse index of sends whose outcome is still unknown (see the stateful stack). */
export const OUTCOME_INDEX = 'byOutcomeDeadline';
/**
 * The logical value of `outcomePending`: one index partition, queried by deadline. Written with a
 * write-shard suffix (`pending#0`…`#15`, see {@link outcomePendingOf}); bare `pending` only on items
 * claimed before sharding, which the watchdog still reads.
 */
export const OUTCOME_PENDING = 'pending';
/** Watchdog queries in flight at once (one per shard). */
const OUTCOME_QUERY_CONCURRENCY = 8;

/**
 * The `outcomePending` value a claimed send is written under: `pending#<shard of its message id>`,
 * so that every claim does not land in one GSI partition (~1,000 writes/s). Write it wherever a
 * claim sets `outcomePending`; the watchdog queries every shard.
 * @example outcomePendingOf({ conversationId: 'cv_1', messageId: 'msg_1' }) // 'pending#<0..15>'
 */
export function outcomePendingOf(key: MessageKey): string {
  return shardedPartition(OUTCOME_PENDING, key.messageId, OUTCOME_PENDING_SHARDS);
}

const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * How long a BSP id keeps mapping to our message: statuses trail a send by seconds, but a BSP that
 * retries webhooks (Meta and 360dialog for up to 7 days) may deliver one much later.
 */
const EXTERNAL_ID_MAPPING_TTL_SECONDS = 30 * 24 * 60 * 60;

const conversationItemSchema = z.object({
  conversationId: z.string().min(1),
  businessId: z.string().min(1),
  connectionId: z.string().min(1),
  customerId: z.string().min(1),
  lastCustomerMessageAt: z.string().optional(),
});

// Only what the send path branches on is checked; the rest is ours and read as written.
const messageItemSchema = z
  .object({
    conversationId: z.string().min(1),
    messageId: z.string().min(1),
    direction: z.literal('outbound'),
    sendState: z.enum(['pending', 'sending', 'accepted', 'failed']),
    content: z.object({ type: z.string() }).passthrough(),
  })
  .passthrough();

/**
 * Outbound messages in DynamoDB: the items of the `messages` table the send Lambda writes, their
 * idempotency markers in `dedupe`, and the conversation fields the send path reads and sets.
 * Every state change is one conditional `UpdateItem` on the message's key, so two attempts (or an
 * attempt and a status callback) can never both win.
 * @example
 * const store = new DynamoDbOutboundStore(documents, { messages, dedupe, conversations, connections });
 */
export class DynamoDbOutboundStore implements OutboundStore, OutcomeWatchdogStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: DynamoDbOutboundStoreTables,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Consistent read: a customer message stored a moment ago must open the window. */
  async getConversation(conversationId: string): Promise<OutboundConversation | undefined> {
    let item: Item | undefined;
    try {
      item = (
        await this.documents.send(
          new GetCommand({ TableName: this.tables.conversations, Key: { conversationId }, ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (conversation)', error);
    }
    const parsed = item ? conversationItemSchema.safeParse(item) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  /** A business's connections through the connections table's `byBusiness` index. */
  async listByBusiness(businessId: string): Promise<Connection[]> {
    if (!this.tables.connections) throw new Error('the connections table is not configured');
    const connections: Connection[] = [];
    let startKey: Item | undefined;
    do {
      let page;
      try {
        page = await this.documents.send(
          new QueryCommand({
            TableName: this.tables.connections,
            IndexName: 'byBusiness',
            KeyConditionExpression: 'businessId = :b',
            ExpressionAttributeValues: { ':b': businessId },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Query (connections byBusiness)', error);
      }
      for (const item of page.Items ?? []) {
        const connection = connectionFromItem(item);
        if (connection) connections.push(connection);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return connections;
  }

  /**
   * One `TransactWriteItems`: the dedupe item (must not exist) listing every part's id, each part
   * (must not exist), and the conversation when the business writes first. A replay finds the
   * dedupe item and gets the ids recorded then, whatever it would plan now.
   */
  async record(input: RecordOutboundInput): Promise<RecordOutboundResult> {
    const first = input.messages[0];
    if (!first) throw new Error('nothing to record');
    const items: TransactItems = [
      {
        Put: {
          TableName: this.tables.dedupe,
          Item: {
            dedupeKey: input.dedupeKey,
            conversationId: first.conversationId,
            messageId: first.messageId,
            messageIds: input.messages.map((message) => message.messageId),
            businessId: first.businessId,
            connectionId: first.connectionId,
            createdAt: first.createdAt,
            expiresAt: Math.floor(input.dedupeExpiresAt.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(dedupeKey)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...input.messages.map((message, index) => ({
        Put: {
          TableName: this.tables.messages,
          Item: withoutUndefined({
            ...(index === 0 && input.claimFirst ? claimedItem(message, input.claimFirst) : message),
            // An event announced with this part (e.g. send.failed of a part recorded failed): the outbox.
            [OUTBOX_ATTRIBUTE]: input.events?.[message.messageId] && outboxEntryOf(input.events[message.messageId]!),
          }),
          ConditionExpression: 'attribute_not_exists(messageId)',
        },
      })),
    ];
    if (input.conversation) {
      const c = input.conversation;
      // Only what is missing: a customer message may create the conversation at the same moment,
      // and its fields (window, name) must win.
      items.push({
        Update: {
          TableName: this.tables.conversations,
          Key: { conversationId: c.conversationId },
          UpdateExpression:
            'SET businessId = if_not_exists(businessId, :b), connectionId = if_not_exists(connectionId, :c), ' +
            'provider = if_not_exists(provider, :p), customerId = if_not_exists(customerId, :cu), ' +
            'customerIsPhoneNumber = if_not_exists(customerIsPhoneNumber, :phone), ' +
            'createdAt = if_not_exists(createdAt, :at), lastMessageAt = if_not_exists(lastMessageAt, :at)',
          ExpressionAttributeValues: {
            ':b': c.businessId,
            ':c': c.connectionId,
            ':p': c.provider,
            ':cu': c.customerId,
            ':phone': c.customerIsPhoneNumber,
            ':at': first.createdAt,
          },
        },
      });
    }

    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
        return { outcome: 'recorded' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw unavailable('DynamoDB TransactWriteItems (outbound)', error);
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return this.duplicateOf(input.dedupeKey, reasons[0]);
        // Two deliveries of the same message racing: let one win, then the other sees the duplicate.
        if (reasons.some((reason) => reason.Code === 'TransactionConflict') && attempt < MAX_CONFLICT_ATTEMPTS) {
          await this.sleep(Math.random() * 25 * 2 ** attempt);
          continue;
        }
        throw unavailable('DynamoDB TransactWriteItems (outbound)', error);
      }
    }
  }

  private async duplicateOf(dedupeKey: string, reason: CancellationReason): Promise<RecordOutboundResult> {
    let stored: Item | undefined = reason.Item ? (unmarshall(reason.Item) as Item) : undefined;
    if (!stored) {
      try {
        stored = (
          await this.documents.send(new GetCommand({ TableName: this.tables.dedupe, Key: { dedupeKey }, ConsistentRead: true }))
        ).Item;
      } catch (error) {
        throw unavailable('DynamoDB GetItem (outbound dedupe)', error);
      }
    }
    if (!stored) throw unavailable('DynamoDB GetItem (outbound dedupe)', new Error('dedupe item vanished'));
    const messageIds = Array.isArray(stored.messageIds) ? stored.messageIds.map(String) : [String(stored.messageId)];
    return { outcome: 'duplicate', conversationId: String(stored.conversationId), messageIds };
  }

  async getMessages(conversationId: string, messageIds: string[]): Promise<OutboundMessageItem[]> {
    const found: OutboundMessageItem[] = [];
    // GetItem one by one: a message has at most a dozen parts, and order must be kept.
    for (const messageId of messageIds) {
      let item: Item | undefined;
      try {
        item = (
          await this.documents.send(
            new GetCommand({ TableName: this.tables.messages, Key: { conversationId, messageId }, ConsistentRead: true }),
          )
        ).Item;
      } catch (error) {
        throw unavailable('DynamoDB GetItem (outbound message)', error);
      }
      if (item && messageItemSchema.safeParse(item).success) found.push(item as OutboundMessageItem);
    }
    return found;
  }

  /** Reads one outbound message (the webhook reads it to fall back after a refusal callback). */
  async getMessage(key: MessageKey): Promise<OutboundMessageItem | undefined> {
    const [item] = await this.getMessages(key.conversationId, [key.messageId]);
    return item;
  }

  async findKeyByExternalId(provider: ProviderName, externalId: string): Promise<MessageKey | undefined> {
    let item: Item | undefined;
    try {
      item = (
        await this.documents.send(
          new GetCommand({ TableName: this.tables.dedupe, Key: { dedupeKey: outboundExternalKeyFor(provider, externalId) }, ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (BSP id mapping)', error);
    }
    if (typeof item?.conversationId !== 'string' || typeof item.messageId !== 'string') return undefined;
    return { conversationId: item.conversationId, messageId: item.messageId };
  }

  async claim(key: MessageKey, at: Date, outcomeDeadline: Date, fallback?: FallbackKind): Promise<boolean> {
    const values: Item = {
      ':pending': 'pending',
      ':sending': 'sending',
      ':zero': 0,
      ':one': 1,
      ':outcome': outcomePendingOf(key),
      ':deadline': outcomeDeadline.toISOString(),
      ':at': at.toISOString(),
    };
    let update =
      'SET sendState = :sending, attempts = if_not_exists(attempts, :zero) + :one, outcomePending = :outcome, ' +
      'outcomeDeadline = :deadline, lastAttemptAt = :at, updatedAt = :at';
    if (fallback !== undefined) {
      update += ', fallback = :fallback';
      values[':fallback'] = fallback;
    }
    return this.conditionalUpdate(key, update, 'sendState = :pending', values, 'claim');
  }

  /**
   * `sending` → `accepted`, and beside it (one transaction) the item that maps the BSP's id to our
   * key, so that a status without our key (a BSP that does not echo it) still finds the message.
   */
  async markAccepted(key: MessageKey, externalId: string, providerStatus: string, at: Date, provider: ProviderName): Promise<void> {
    const update = {
      TableName: this.tables.messages,
      Key: { conversationId: key.conversationId, messageId: key.messageId },
      UpdateExpression:
        'SET sendState = :accepted, externalId = :externalId, acceptedProviderStatus = :providerStatus, ' +
        'acceptedAt = :at, updatedAt = :at REMOVE outcomePending, outcomeDeadline',
      // A status callback may have come first and recorded the same externalId: that is fine.
      ConditionExpression: 'attribute_exists(messageId) AND sendState = :sending AND (attribute_not_exists(externalId) OR externalId = :externalId)',
      ExpressionAttributeValues: {
        ':accepted': 'accepted',
        ':sending': 'sending',
        ':externalId': externalId,
        ':providerStatus': providerStatus,
        ':at': at.toISOString(),
      },
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Put: {
                TableName: this.tables.dedupe,
                Item: {
                  dedupeKey: outboundExternalKeyFor(provider, externalId),
                  conversationId: key.conversationId,
                  messageId: key.messageId,
                  expiresAt: Math.floor(at.getTime() / 1000) + EXTERNAL_ID_MAPPING_TTL_SECONDS,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Not `sending` any more (settled by a status or the watchdog): nothing to record, as before.
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return;
      throw unavailable('DynamoDB TransactWriteItems (outbound accept)', error);
    }
  }

  async release(
    key: MessageKey,
    at: Date,
    change: { errorCode?: string; errorReason?: string; fallback?: FallbackKind } = {},
  ): Promise<boolean> {
    const values: Item = { ':pending': 'pending', ':sending': 'sending', ':at': at.toISOString() };
    const sets = ['sendState = :pending', 'updatedAt = :at'];
    if (change.errorCode !== undefined) {
      sets.push('lastErrorCode = :code');
      values[':code'] = change.errorCode;
    }
    if (change.errorReason !== undefined) {
      sets.push('lastErrorReason = :reason');
      values[':reason'] = change.errorReason;
    }
    if (change.fallback !== undefined) {
      sets.push('fallback = :fallback');
      values[':fallback'] = change.fallback;
    }
    return this.conditionalUpdate(key, `SET ${sets.join(', ')} REMOVE outcomePending, outcomeDeadline`, 'sendState = :sending', values, 'release');
  }

  async markFailed(key: MessageKey, failure: OutboundFailure, at: Date, from: SendState[], event?: DomainEvent): Promise<boolean> {
    const values: Item = {
      ':failed': 'failed',
      ':rank': DELIVERY_STATUS_RANK.failed,
      ':queuedRank': DELIVERY_STATUS_RANK.queued,
      ':failureReason': failure.reason,
      ':errorReason': failure.errorReason,
      ':at': at.toISOString(),
    };
    const sets = [
      'sendState = :failed',
      'deliveryStatus = :failed',
      'deliveryStatusRank = :rank',
      'failureReason = :failureReason',
      'errorReason = :errorReason',
      'failedAt = :at',
      'updatedAt = :at',
    ];
    if (failure.errorCode !== undefined) {
      sets.push('errorCode = :errorCode');
      values[':errorCode'] = failure.errorCode;
    }
    if (event !== undefined) {
      // Its send.failed, in the same update: it exists exactly when the message ended failed.
      sets.push(`${OUTBOX_ATTRIBUTE} = :outbox`);
      values[':outbox'] = outboxEntryOf(event);
    }
    const states = from.map((state, index) => {
      values[`:from${index}`] = state;
      return `:from${index}`;
    });
    // Never over a status the BSP reported: a message it moved past `queued` is not ours to fail.
    return this.conditionalUpdate(
      key,
      `SET ${sets.join(', ')} REMOVE outcomePending, outcomeDeadline`,
      `sendState IN (${states.join(', ')}) AND (attribute_not_exists(deliveryStatusRank) OR deliveryStatusRank <= :queuedRank)`,
      values,
      'fail',
    );
  }

  async setPendingOptions(conversationId: string, pending: PendingOptions, at: Date): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.conversations,
          Key: { conversationId },
          UpdateExpression: 'SET pendingOptions = :options, pendingOptionsAt = :at',
          ConditionExpression: 'attribute_exists(conversationId)',
          ExpressionAttributeValues: { ':options': pending, ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      // A conversation that does not exist has no customer to answer the options.
      if (error instanceof ConditionalCheckFailedException) return;
      throw unavailable('DynamoDB UpdateItem (pendingOptions)', error);
    }
  }

  /**
   * Every shard of the `pending` partition (and the bare legacy one), each read up to `limit`,
   * merged oldest deadline first: the same answer the one partition gave before sharding.
   */
  async overdue(now: Date, limit: number): Promise<MessageKey[]> {
    const partitions = shardedPartitions(OUTCOME_PENDING, OUTCOME_PENDING_SHARDS);
    const found: Array<MessageKey & { deadline: string }> = [];
    await forEachLimited(partitions, OUTCOME_QUERY_CONCURRENCY, async (partition) => {
      found.push(...(await this.overdueIn(partition, now, limit)));
    });
    return found
      .sort((a, b) => a.deadline.localeCompare(b.deadline))
      .slice(0, limit)
      .map(({ conversationId, messageId }) => ({ conversationId, messageId }));
  }

  private async overdueIn(partition: string, now: Date, limit: number): Promise<Array<MessageKey & { deadline: string }>> {
    const keys: Array<MessageKey & { deadline: string }> = [];
    let startKey: Item | undefined;
    do {
      let page;
      try {
        page = await this.documents.send(
          new QueryCommand({
            TableName: this.tables.messages,
            IndexName: OUTCOME_INDEX,
            KeyConditionExpression: 'outcomePending = :pending AND outcomeDeadline <= :now',
            ExpressionAttributeValues: { ':pending': partition, ':now': now.toISOString() },
            Limit: Math.min(limit - keys.length, 100),
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Query (byOutcomeDeadline)', error);
      }
      for (const item of page.Items ?? []) {
        keys.push({ conversationId: String(item.conversationId), messageId: String(item.messageId), deadline: String(item.outcomeDeadline) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && keys.length < limit);
    return keys;
  }

  async expire(key: MessageKey, at: Date, eventFor?: (item: OutboundMessageItem) => DomainEvent): Promise<OutboundMessageItem | undefined> {
    // The event needs the message (metadata, last error): read it, then write the event with the
    // same conditional update that fails the message, so it exists exactly when that applied.
    let outbox: Item | undefined;
    if (eventFor) {
      const [current] = await this.getMessages(key.conversationId, [key.messageId]);
      if (!current || current.sendState !== 'sending') return undefined;
      const reason = 'The BSP did not confirm whether it accepted the message, and no status arrived.';
      outbox = outboxEntryOf(
        eventFor({ ...current, sendState: 'failed', deliveryStatus: 'failed', failureReason: 'outcome-unknown', errorReason: reason, updatedAt: at.toISOString() }),
      ) as unknown as Item;
    }
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.messages,
          Key: { conversationId: key.conversationId, messageId: key.messageId },
          UpdateExpression:
            'SET sendState = :failed, deliveryStatus = :failed, deliveryStatusRank = :rank, failureReason = :reason, ' +
            'errorReason = :errorReason, failedAt = :at, updatedAt = :at' +
            (outbox ? `, ${OUTBOX_ATTRIBUTE} = :outbox` : '') +
            ' REMOVE outcomePending, outcomeDeadline',
          // Still unsettled: no callback removed the marker, and no status moved past `queued`.
          ConditionExpression:
            'attribute_exists(outcomePending) AND sendState = :sending AND (attribute_not_exists(deliveryStatusRank) OR deliveryStatusRank <= :queuedRank)',
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':rank': DELIVERY_STATUS_RANK.failed,
            ':reason': 'outcome-unknown',
            ':errorReason': 'The BSP did not confirm whether it accepted the message, and no status arrived.',
            ':at': at.toISOString(),
            ':sending': 'sending',
            ':queuedRank': DELIVERY_STATUS_RANK.queued,
            ...(outbox && { ':outbox': outbox }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as OutboundMessageItem | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw unavailable('DynamoDB UpdateItem (expire outcome)', error);
    }
  }

  private async conditionalUpdate(key: MessageKey, update: string, condition: string, values: Item, what: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.messages,
          Key: { conversationId: key.conversationId, messageId: key.messageId },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(messageId) AND ${condition}`,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(`DynamoDB UpdateItem (outbound ${what})`, error);
    }
  }
}

/** A part recorded as `claim` would leave it: `sending`, one attempt, in the outcome index. */
function claimedItem(message: OutboundMessageItem, claim: NonNullable<RecordOutboundInput['claimFirst']>): Item {
  return {
    ...message,
    sendState: 'sending',
    attempts: (message.attempts ?? 0) + 1,
    outcomePending: outcomePendingOf(message),
    outcomeDeadline: claim.outcomeDeadline.toISOString(),
    lastAttemptAt: claim.at.toISOString(),
    updatedAt: claim.at.toISOString(),
    ...(claim.fallback !== undefined && { fallback: claim.fallback }),
  };
}

function withoutUndefined(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}
