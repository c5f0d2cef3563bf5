import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionActivity, ConnectionActivityStore } from '../domain/connection-health';
import { isProviderName } from '../domain/providers';
import { scanActiveConnections } from './dynamodb-active-connections';
import { unavailable } from './aws-errors';

/**
 * The connections' inbound history for the hourly "gone quiet" check.
 *
 * `listActive` is the paginated Scan of active connections the reconciler uses too
 * (`scanActiveConnections`), projected to six attributes. A Scan because no index lists connections across businesses
 * (`byBusiness` is keyed by business) and the check visits every connection anyway; the table holds
 * one item per connection and one pointer per business, never one per message, so an hourly scan of
 * 10,000 connections reads ~5 MB (~600 read units). `recordInboundDays` writes at most once per
 * connection per day.
 * @example
 * const activity = await new DynamoDbConnectionActivity(documents, 'connections').listActive();
 */
export class DynamoDbConnectionActivity implements ConnectionActivityStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listActive(): Promise<ConnectionActivity[]> {
    const connections: ConnectionActivity[] = [];
    for await (const item of scanActiveConnections(this.documents, this.tableName, ['lastInboundAt', 'inboundDays'])) {
      const { connectionId, businessId, provider, lastInboundAt, inboundDays } = item;
      if (typeof connectionId !== 'string' || typeof businessId !== 'string' || !isProviderName(provider)) continue;
      connections.push({
        connectionId,
        businessId,
        provider,
        ...(typeof lastInboundAt === 'string' && { lastInboundAt }),
        inboundDays: Array.isArray(inboundDays) ? inboundDays.filter((day): day is string => typeof day === 'string') : [],
      });
    }
    return connections;
  }

  async recordInboundDays(connectionId: string, days: string[]): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET inboundDays = :days',
          // Never recreates a connection deleted meanwhile.
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':days': days },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
      throw unavailable('DynamoDB UpdateItem (connection inbound days)', error);
    }
  }
}
