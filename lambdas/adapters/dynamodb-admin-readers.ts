import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ConversationLister, ConversationRecord, KeyPage, MessageLister } from '../domain/admin/ports';
import { unavailable } from './aws-errors';

const conversationSchema = z.object({
  conversationId: z.string().min(1),
  businessId: z.string().min(1),
  connectionId: z.string().min(1),
  customerId: z.string().min(1),
  customerName: z.string().optional(),
  lastMessageAt: z.string().optional(),
  lastCustomerMessageAt: z.string().optional(),
  windowExpiresAt: z.string().optional(),
  windowState: z.string().optional(),
  contactName: z.string().optional(),
  aiPausedUntil: z.string().optional(),
  pausedBy: z.enum(['owner-app', 'owner-page', 'admin']).optional().catch(undefined),
});

function conversationOf(item: Record<string, unknown>): ConversationRecord | undefined {
  const parsed = conversationSchema.safeParse(item);
  if (!parsed.success) return undefined;
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as unknown as ConversationRecord;
}

/**
 * Pages of a query, `limit` at a time, with the next page's start key taken from the last item
 * returned: one more item than asked is read, so `lastKey` is set only when a next page exists
 * (DynamoDB's own `LastEvaluatedKey` is also set when the page merely ended at the limit).
 */
function pageOf<T>(items: Record<string, unknown>[], limit: number, keyAttributes: readonly string[], map: (item: Record<string, unknown>) => T | undefined): KeyPage<T> {
  const page = items.slice(0, limit);
  const out: T[] = [];
  for (const item of page) {
    const mapped = map(item);
    if (mapped !== undefined) out.push(mapped);
  }
  if (items.length <= limit) return { items: out };
  const last = page[page.length - 1];
  const lastKey = Object.fromEntries(keyAttributes.map((name) => [name, String(last[name])]));
  return { items: out, lastKey };
}

/** The conversations table's `byBusiness` index (partition `businessId`, sort `lastMessageAt`). */
export const CONVERSATIONS_BY_BUSINESS_INDEX = 'byBusiness';

/**
 * A business's conversations, newest first, through the conversations table's `byBusiness` index:
 * one Query per page, never a scan. Conversations without `lastMessageAt` are not in the index.
 * @example await new DynamoDbConversationLister(documents, 'conversations').listByBusiness('acme', 20)
 */
export class DynamoDbConversationLister implements ConversationLister {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listByBusiness(businessId: string, limit: number, startKey?: Record<string, string>): Promise<KeyPage<ConversationRecord>> {
    let items: Record<string, unknown>[];
    try {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: CONVERSATIONS_BY_BUSINESS_INDEX,
          KeyConditionExpression: 'businessId = :b',
          ExpressionAttributeValues: { ':b': businessId },
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items = result.Items ?? [];
    } catch (error) {
      throw unavailable('DynamoDB Query (conversations byBusiness)', error);
    }
    return pageOf(items, limit, ['conversationId', 'businessId', 'lastMessageAt'], conversationOf);
  }

  async get(conversationId: string): Promise<ConversationRecord | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { conversationId } }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (conversation)', error);
    }
    return item ? conversationOf(item) : undefined;
  }
}

/**
 * A conversation's messages, newest first: one Query on its partition (sort key `messageId`,
 * time-ordered), so a long conversation costs the same per page as a short one.
 * @example await new DynamoDbMessageLister(documents, 'messages').list('cv_…', 50)
 */
export class DynamoDbMessageLister implements MessageLister {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(conversationId: string, limit: number, startKey?: Record<string, string>): Promise<KeyPage<Record<string, unknown>>> {
    let items: Record<string, unknown>[];
    try {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'conversationId = :c',
          ExpressionAttributeValues: { ':c': conversationId },
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      items = result.Items ?? [];
    } catch (error) {
      throw unavailable('DynamoDB Query (messages)', error);
    }
    return pageOf(items, limit, ['conversationId', 'messageId'], (item) => item);
  }
}
