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
    const attributes = ['displayNumber', 'secretArn', 'providerNumberId', 'providerAccountId', 'accountSid'];
    for await (const item of scanActiveConnections(this.documents, this.tableName, attributes, this.maxItems)) {
      // A malformed item is no connection, as it is to the webhook.
      const connection = connectionFromItem(item);
      if (connection?.status === 'active') connections.push(connection);
    }
    return connections;
  }
}

/**
 * The items of every active connection, page by page: a Scan of the connections table filtered on
 * `status = active` and projected to `connectionId, businessId, provider, status` and `attributes`
 * (see {@link DynamoDbActiveConnections} for why a Scan). Stops after the page that reaches
 * `maxItems` items read.
 * @example
 * for await (const item of scanActiveConnections(documents, 'connections', ['lastInboundAt'])) use(item);
 */
export async function* scanActiveConnections(
  documents: DynamoDBDocumentClient,
  tableName: string,
  attributes: readonly string[],
  maxItems = Number.POSITIVE_INFINITY,
): AsyncGenerator<Record<string, unknown>> {
  let read = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    let page;
    try {
      page = await documents.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#status = :active',
          ProjectionExpression: ['connectionId', 'businessId', 'provider', '#status', ...attributes].join(', '),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
    } catch (error) {
      throw unavailable('DynamoDB Scan (connections)', error);
    }
    yield* page.Items ?? [];
    read += page.ScannedCount ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey && read < maxItems);
}
