import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionAttention, ConnectionAttentionStore } from '../domain/connection-attention';
import { unavailable } from './aws-errors';

/**
 * The `attention` marker on a connection item: one conditional UpdateItem that succeeds only for
 * an active connection not marked yet, so a burst of rejected sends writes (and announces) once.
 * The admin API removes the marker when the owner saves new credentials or a test passes.
 * @example
 * await new DynamoDbConnectionAttention(documents, 'connections').markNeedsAttention('cn_1', attention);
 */
export class DynamoDbConnectionAttention implements ConnectionAttentionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markNeedsAttention(connectionId: string, attention: ConnectionAttention): Promise<{ verified: boolean } | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET attention = :attention',
          ConditionExpression: 'attribute_exists(connectionId) AND #status = :active AND attribute_not_exists(attention)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':attention': attention, ':active': 'active' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { verified: Attributes?.verified === true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw unavailable('DynamoDB UpdateItem (connection attention)', error);
    }
  }
}
