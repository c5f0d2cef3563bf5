import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { connectionFromItem, type Connection, type ConnectionDirectory } from '../domain/connection';
import { unavailable } from './aws-errors';

const LAST_INBOUND_RESOLUTION_MS = 60_000;

/**
 * Connections from DynamoDB with a short in-memory cache: a warm webhook then makes only the two
 * writes it must make. The cost is that disabling a connection takes up to `cacheTtlMs` to reach
 * warm containers.
 * @example
 * const directory = new DynamoDbConnectionDirectory(documents, 'connections-table', { cacheTtlMs: 30_000 });
 */
export class DynamoDbConnectionDirectory implements ConnectionDirectory {
  private readonly cache = new Map<string, { connection: Connection | undefined; fetchedAt: number }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { cacheTtlMs: number; now?: () => number },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const cached = this.cache.get(connectionId);
    if (cached && this.now() - cached.fetchedAt < this.options.cacheTtlMs) return cached.connection;
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { connectionId } }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (connection)', error);
    }
    // A malformed item is treated as no connection: the webhook answers 403, never 5xx forever.
    const connection = item ? connectionFromItem(item) : undefined;
    this.cache.set(connectionId, { connection, fetchedAt: this.now() });
    return connection;
  }

  /**
   * Moves `lastInboundAt` at most once a minute: a local guard skips the call entirely, and the
   * condition keeps several containers from writing within the same minute.
   */
  async touchLastInbound(connectionId: string, at: Date): Promise<void> {
    const last = this.lastTouched.get(connectionId);
    if (last !== undefined && at.getTime() - last < LAST_INBOUND_RESOLUTION_MS) return;
    this.lastTouched.set(connectionId, at.getTime());
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET lastInboundAt = :at',
          ConditionExpression: 'attribute_exists(connectionId) AND (attribute_not_exists(lastInboundAt) OR lastInboundAt < :threshold)',
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':threshold': new Date(at.getTime() - LAST_INBOUND_RESOLUTION_MS).toISOString(),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw unavailable('DynamoDB UpdateItem (lastInboundAt)', error);
    }
  }
}
