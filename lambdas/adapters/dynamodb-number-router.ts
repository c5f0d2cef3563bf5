import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Connection, ConnectionDirectory } from '../domain/connection';
import type { ProviderName } from '../domain/providers';
import { DynamoDbAdminConnectionStore } from './dynamodb-admin-connection-store';
import { unavailable } from './aws-errors';

/** The connections index by BSP account (Meta's WABA id): `PARTNER_REMOVED` names a WABA, not a number. */
export const BY_PROVIDER_ACCOUNT_INDEX = 'byProviderAccount';

/**
 * Finds the connection a Meta app-level webhook change is for: by number through the number claim
 * items the admin API writes in its save transaction (`number#<provider>#<providerNumberId>`, a
 * strongly consistent GetItem, one active connection per number), by WABA through the
 * `byProviderAccount` index. Claim lookups are cached for a short TTL like connections are, so a
 * warm webhook adds no read for a number it has seen; an unknown number is cached too (Meta keeps
 * sending for a business that left without unsubscribing).
 * @example
 * const router = new DynamoDbNumberRouter(documents, 'connections-table', directory, { cacheTtlMs: 30_000 });
 * const connection = await router.byNumber('meta', '106540352242922');
 */
export class DynamoDbNumberRouter {
  private readonly claims = new Map<string, { connectionId: string | undefined; fetchedAt: number }>();

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly directory: Pick<ConnectionDirectory, 'get'>,
    private readonly options: { cacheTtlMs: number; now?: () => number },
  ) {}

  /** The active connection that holds the number, or undefined. */
  async byNumber(provider: ProviderName, providerNumberId: string): Promise<Connection | undefined> {
    const connectionId = await this.claimHolder(DynamoDbAdminConnectionStore.numberClaimKey(provider, providerNumberId));
    if (connectionId === undefined) return undefined;
    const connection = await this.directory.get(connectionId);
    return connection?.status === 'active' && connection.provider === provider && connection.providerNumberId === providerNumberId ? connection : undefined;
  }

  /** The active connections of a BSP account (Meta's WABA id), usually one. */
  async byAccount(provider: ProviderName, providerAccountId: string): Promise<Connection[]> {
    let ids: string[];
    try {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_PROVIDER_ACCOUNT_INDEX,
          KeyConditionExpression: 'providerAccountId = :account',
          ExpressionAttributeValues: { ':account': providerAccountId },
          // A WABA holds a handful of numbers; a page of 25 is far more than any business has.
          Limit: 25,
        }),
      );
      ids = (result.Items ?? []).map((item) => item.connectionId).filter((id): id is string => typeof id === 'string');
    } catch (error) {
      throw unavailable('DynamoDB Query (connections byProviderAccount)', error);
    }
    const connections = await Promise.all(ids.map((id) => this.directory.get(id)));
    return connections.filter(
      (connection): connection is Connection =>
        connection !== undefined && connection.status === 'active' && connection.provider === provider && connection.providerAccountId === providerAccountId,
    );
  }

  private async claimHolder(claimKey: string): Promise<string | undefined> {
    const now = this.options.now?.() ?? Date.now();
    const cached = this.claims.get(claimKey);
    if (cached && now - cached.fetchedAt < this.options.cacheTtlMs) return cached.connectionId;
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { connectionId: claimKey } }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (number claim)', error);
    }
    const connectionId = typeof item?.claimConnectionId === 'string' ? item.claimConnectionId : undefined;
    this.claims.set(claimKey, { connectionId, fetchedAt: now });
    return connectionId;
  }
}
