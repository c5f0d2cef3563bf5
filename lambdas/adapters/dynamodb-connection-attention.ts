import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionAttention, ConnectionAttentionStore, MarkCondition } from '../domain/connection-attention';
import { unavailable } from './aws-errors';

/**
 * The `attention` marker on a connection item: one conditional UpdateItem that succeeds only for
 * an active connection not marked yet, so a burst of rejected sends writes (and announces) once.
 * The admin API removes the marker when the owner saves new credentials or a test passes, and
 * marks through this same write when its test sees the rejection (only for the credentials it tested).
 * @example
 * await new DynamoDbConnectionAttention(documents, 'connections').markNeedsAttention('cn_1', attention);
 */
export class DynamoDbConnectionAttention implements ConnectionAttentionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markNeedsAttention(connectionId: string, attention: ConnectionAttention, only?: MarkCondition): Promise<{ verified: boolean } | undefined> {
    let condition = 'attribute_exists(connectionId) AND #status = :active AND attribute_not_exists(attention)';
    const values: Record<string, unknown> = { ':attention': attention, ':active': 'active' };
    if (only) {
      // The admin store's own test for "the credentials saved then" (items seeded without
      // `credentialsUpdatedAt` are read with `updatedAt` in its place).
      condition += ' AND (credentialsUpdatedAt = :credentialsAt OR (attribute_not_exists(credentialsUpdatedAt) AND updatedAt = :credentialsAt))';
      values[':credentialsAt'] = only.credentialsUpdatedAt;
    }
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET attention = :attention',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
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
