import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pendingOptionsSchema } from '../domain/ai/numbered-options';
import type { HistoryEntry } from '../domain/ai/responder';
import type { ConversationReader, ConversationSnapshot } from '../domain/ai/respond-to-inbound';
import { unavailable } from './aws-errors';

export interface ConversationReaderTables {
  conversations: string;
  messages: string;
}

/**
 * The AI hand-off's view of a conversation: the item (for its numbered options) and its latest
 * messages by query on the conversation's partition, newest first, so a long conversation costs
 * the same as a short one.
 * @example
 * const reader = new DynamoDbConversationReader(documents, { conversations, messages });
 * const history = await reader.historyBefore(conversationId, messageId, 20);
 */
export class DynamoDbConversationReader implements ConversationReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: ConversationReaderTables,
  ) {}

  async get(conversationId: string): Promise<ConversationSnapshot | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const result = await this.documents.send(
        new GetCommand({
          TableName: this.tables.conversations,
          Key: { conversationId },
          ProjectionExpression: 'conversationId, pendingOptions, aiPausedUntil',
          // The options may have been written by the send Lambda a moment ago.
          ConsistentRead: true,
        }),
      );
      item = result.Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (conversation)', error);
    }
    if (!item) return undefined;
    // Malformed options are ignored: the number is then read as text, never as a wrong option.
    const options = item.pendingOptions === undefined ? undefined : pendingOptionsSchema.safeParse(item.pendingOptions);
    return {
      conversationId,
      ...(options?.success && { pendingOptions: options.data }),
      ...(typeof item.aiPausedUntil === 'string' && { aiPausedUntil: item.aiPausedUntil }),
    };
  }

  async historyBefore(conversationId: string, beforeMessageId: string, limit: number): Promise<HistoryEntry[]> {
    if (limit <= 0) return [];
    let items: Record<string, unknown>[];
    try {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tables.messages,
          // Only what came before this message: a retry, or a backlog of later messages already
          // stored, sees the same history as the first attempt.
          KeyConditionExpression: 'conversationId = :c AND messageId < :m',
          ExpressionAttributeValues: { ':c': conversationId, ':m': beforeMessageId },
          ExpressionAttributeNames: { '#type': 'type', '#content': 'content', '#direction': 'direction' },
          ProjectionExpression: 'messageId, #direction, #type, #content, createdAt, receivedAt',
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      items = result.Items ?? [];
    } catch (error) {
      throw unavailable('DynamoDB Query (messages)', error);
    }
    return items.flatMap(historyEntryOf).reverse();
  }

  async clearPendingOptions(conversationId: string, optionsMessageId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tables.conversations,
          Key: { conversationId },
          UpdateExpression: 'REMOVE pendingOptions',
          // Only the options the customer answered: a newer set offered meanwhile stays.
          ConditionExpression: 'pendingOptions.messageId = :m',
          ExpressionAttributeValues: { ':m': optionsMessageId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable('DynamoDB UpdateItem (pendingOptions)', error);
    }
  }
}

function historyEntryOf(item: Record<string, unknown>): HistoryEntry[] {
  const { messageId, direction, type, content } = item;
  const at = item.createdAt ?? item.receivedAt;
  if (typeof messageId !== 'string' || (direction !== 'inbound' && direction !== 'outbound')) return [];
  const record = typeof content === 'object' && content !== null ? (content as Record<string, unknown>) : {};
  const kind = typeof type === 'string' ? type : typeof record.type === 'string' ? record.type : 'unknown';
  return [{ messageId, direction, type: kind, content: record, at: typeof at === 'string' ? at : '' }];
}
