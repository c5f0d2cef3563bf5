import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionFromItem, type Connection } from '../domain/connection';
import { unavailable } from './aws-errors';

/**
 * Every active connection, for the reconciler: one paginated Scan of the connections table with a
 * filter on `status = active` and a projection of the six attributes a connection needs.
 *
 * Why a Scan: the reconciler must visit every active connection anyway, and no index lists them
 * all (`byBusiness` is keyed by business). The table holds one item per connection and one
 * pointer item per business (no `status`, so the filter drops it), never one per message or
 * conversation: 10,000 connections of ~0.5 KB are ~5 MB, ~600 read units per run. DynamoDB charges
 * a Scan for the items it reads, not for what the filter keeps, so a sparse `byStatus` index would
 * be cheaper only once disabled connections far outnumber active ones. `maxItems` bounds a run.
 * @example
 * const connections = await new DynamoDbActiveConnections(documents, connectionsTable).list();
 */
export class DynamoDbActiveConnections {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxItems: number = 100_000,
  ) {}

  async list(): Promise<Connection[]> {
    const connections: Connection[] = [];
    let read = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: '#status = :active',
            ProjectionExpression: 'connectionId, businessId, provider, #status, displayNumber, secretArn, providerNumberId, providerAccountId, accountSid',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active' },
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Scan (connections)', error);
      }
      for (const item of page.Items ?? []) {
        // A malformed item is no connection, as it is to the webhook.
        const connection = connectionFromItem(item);
        if (connection?.status === 'active') connections.push(connection);
      }
      read += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && read < this.maxItems);
    return connections;
  }
}
