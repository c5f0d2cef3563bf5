import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { LastTest } from '../domain/admin/contract';
import type { AdminConnectionStore, ConnectionFields, StoredConnection } from '../domain/admin/ports';
import { unavailable } from './aws-errors';

/**
 * The admin API's side of the connections table (partition `connectionId`).
 *
 * One current connection per business, race-safe. A business's connections are found through the
 * `byBusiness` index, but an index cannot enforce uniqueness and is only eventually consistent,
 * so two concurrent first PUTs reading it would both see nothing and both create a connection.
 * Instead each business has one pointer item in the same table, keyed `business#<businessId>`,
 * naming its current connection:
 * - creating is one conditional `PutItem` of the pointer (`attribute_not_exists`): of two
 *   concurrent first PUTs exactly one wins, the other reads the winner's id and saves onto it;
 * - saving the connection item is a transaction with a `ConditionCheck` that the pointer still
 *   names it, so a DELETE in between cannot leave an active connection nobody points to;
 * - deleting removes the pointer and disables the item in one transaction, so the next PUT
 *   creates a new connection (new id).
 * The pointer has no `businessId`, `provider` or `providerNumberId` attribute, so it is in no
 * index and reads as "no connection" to the webhook and send Lambdas (their schema refuses it);
 * `#` never occurs in a connection id (`SAFE_ID`), so the keys cannot collide. A connection
 * written without a pointer (the local seed) is adopted on first read (`adoptExisting`).
 * @example
 * const store = new DynamoDbAdminConnectionStore(documents, 'connections-table');
 * const { connectionId, created } = await store.claim('acme', newConnectionId());
 */
export class DynamoDbAdminConnectionStore implements AdminConnectionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The pointer item's key for a business. */
  static pointerKey(businessId: string): string {
    return `business#${businessId}`;
  }

  async current(businessId: string): Promise<StoredConnection | undefined> {
    const connectionId = (await this.pointer(businessId)) ?? (await this.adoptExisting(businessId));
    if (connectionId === undefined) return undefined;
    const item = await this.get(connectionId);
    // A pointer to an item that is missing (a PUT that crashed half-way) or of another business
    // (never written by us) reads as no connection.
    return item && item.businessId === businessId ? item : undefined;
  }

  async claim(businessId: string, candidateId: string): Promise<{ connectionId: string; created: boolean }> {
    const adopted = (await this.pointer(businessId)) ?? (await this.adoptExisting(businessId));
    if (adopted !== undefined) return { connectionId: adopted, created: false };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.createPointer(businessId, candidateId)) return { connectionId: candidateId, created: true };
      const existing = await this.pointer(businessId);
      // Deleted between our write and our read: try to claim again.
      if (existing !== undefined) return { connectionId: existing, created: false };
    }
    throw unavailable('DynamoDB PutItem (connection pointer)', new Error('the pointer kept changing'));
  }

  async save(fields: ConnectionFields, at: Date): Promise<StoredConnection | undefined> {
    const now = at.toISOString();
    const values: Record<string, unknown> = {
      ':businessId': fields.businessId,
      ':provider': fields.provider,
      ':active': 'active',
      ':displayNumber': fields.displayNumber,
      ':providerNumberId': fields.providerNumberId,
      ':accountSid': fields.accountSid,
      ':secretArn': fields.secretArn,
      ':false': false,
      ':last4': fields.authTokenLast4,
      ':credentialsAt': fields.credentialsUpdatedAt,
      ':now': now,
      ':current': fields.connectionId,
    };
    const sets = [
      'businessId = :businessId',
      'provider = :provider',
      '#status = :active',
      'displayNumber = :displayNumber',
      'providerNumberId = :providerNumberId',
      'accountSid = :accountSid',
      'secretArn = :secretArn',
      'verified = :false',
      'authTokenLast4 = :last4',
      'credentialsUpdatedAt = :credentialsAt',
      'updatedAt = :now',
      'createdAt = if_not_exists(createdAt, :now)',
    ];
    // A re-save invalidates the last test (it judged other credentials) and the disabled marker.
    const removes = ['lastTest', 'disabledAt'];
    if (fields.messagingServiceSid !== undefined) {
      sets.push('messagingServiceSid = :mg');
      values[':mg'] = fields.messagingServiceSid;
    } else {
      removes.push('messagingServiceSid');
    }
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: { connectionId: DynamoDbAdminConnectionStore.pointerKey(fields.businessId) },
                ConditionExpression: 'currentConnectionId = :current',
                ExpressionAttributeValues: { ':current': fields.connectionId },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { connectionId: fields.connectionId },
                UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: Object.fromEntries(Object.entries(values).filter(([name]) => name !== ':current')),
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return undefined;
      throw unavailable('DynamoDB TransactWriteItems (connection save)', error);
    }
    return this.get(fields.connectionId);
  }

  async disable(businessId: string, connectionId: string, at: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { connectionId: DynamoDbAdminConnectionStore.pointerKey(businessId) },
                ConditionExpression: 'currentConnectionId = :id',
                ExpressionAttributeValues: { ':id': connectionId },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { connectionId },
                UpdateExpression: 'SET #status = :disabled, verified = :false, updatedAt = :now, disabledAt = :now',
                ConditionExpression: 'attribute_exists(connectionId) AND businessId = :business',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':disabled': 'disabled', ':false': false, ':now': at.toISOString(), ':business': businessId },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw unavailable('DynamoDB TransactWriteItems (connection disable)', error);
    }
  }

  async recordTest(connectionId: string, credentialsUpdatedAt: string, result: { verified: boolean; lastTest: LastTest }, at: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET verified = :verified, lastTest = :lastTest, updatedAt = :now',
          // Items seeded without `credentialsUpdatedAt` were read with `updatedAt` in its place.
          ConditionExpression:
            '#status = :active AND (credentialsUpdatedAt = :credentialsAt OR (attribute_not_exists(credentialsUpdatedAt) AND updatedAt = :credentialsAt))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':verified': result.verified,
            ':lastTest': result.lastTest,
            ':now': at.toISOString(),
            ':active': 'active',
            ':credentialsAt': credentialsUpdatedAt,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable('DynamoDB UpdateItem (connection test)', error);
    }
  }

  /**
   * A business whose connection was written without a pointer (by `local/seed.ts`, or before the
   * admin API existed) gets one for its active connection, found through the `byBusiness` index:
   * the most recently updated one if there are several. Resolves with the id the pointer names
   * afterwards (ours, or a concurrent request's), or undefined when there is no active connection.
   */
  private async adoptExisting(businessId: string): Promise<string | undefined> {
    let items: Record<string, unknown>[];
    try {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byBusiness',
          KeyConditionExpression: 'businessId = :b',
          FilterExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':b': businessId, ':active': 'active' },
        }),
      );
      items = result.Items ?? [];
    } catch (error) {
      throw unavailable('DynamoDB Query (connections byBusiness)', error);
    }
    const newest = items
      .filter((item) => typeof item.connectionId === 'string')
      .sort((a, b) => String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')))[0];
    if (!newest) return undefined;
    if (await this.createPointer(businessId, String(newest.connectionId))) return String(newest.connectionId);
    return this.pointer(businessId);
  }

  /** Points the business at `connectionId` unless it already points somewhere; true when it did. */
  private async createPointer(businessId: string, connectionId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            connectionId: DynamoDbAdminConnectionStore.pointerKey(businessId),
            kind: 'business-pointer',
            ownerBusinessId: businessId,
            currentConnectionId: connectionId,
          },
          ConditionExpression: 'attribute_not_exists(connectionId)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable('DynamoDB PutItem (connection pointer)', error);
    }
  }

  private async pointer(businessId: string): Promise<string | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.documents.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { connectionId: DynamoDbAdminConnectionStore.pointerKey(businessId) },
            ConsistentRead: true,
          }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (connection pointer)', error);
    }
    return typeof item?.currentConnectionId === 'string' ? item.currentConnectionId : undefined;
  }

  private async get(connectionId: string): Promise<StoredConnection | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { connectionId }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (connection)', error);
    }
    const parsed = item ? storedConnectionSchema.safeParse(item) : undefined;
    return parsed?.success ? (stripUndefined(parsed.data) as StoredConnection) : undefined;
  }
}

const testStepSchema = z.object({
  id: z.enum(['credentials', 'sender', 'testMessage']),
  ok: z.boolean(),
  skipped: z.boolean().optional(),
  code: z.string().optional(),
  detail: z.string(),
});

/** Items written by `seedDemo` lack the admin-only attributes: they read with safe defaults. */
const storedConnectionSchema = z.object({
  connectionId: z.string().min(1),
  businessId: z.string().min(1),
  provider: z.literal('twilio'),
  status: z.enum(['active', 'disabled']),
  displayNumber: z.string().min(1),
  providerNumberId: z.string().min(1).optional(),
  accountSid: z.string().default(''),
  secretArn: z.string().min(1),
  verified: z.boolean().default(false),
  authTokenLast4: z.string().default(''),
  messagingServiceSid: z.string().optional(),
  lastTest: z.object({ at: z.string(), ok: z.boolean(), steps: z.array(testStepSchema) }).optional(),
  lastInboundAt: z.string().optional(),
  credentialsUpdatedAt: z.string().optional(),
  createdAt: z.string().default(''),
  updatedAt: z.string().default(''),
}).transform((item) => ({
  ...item,
  providerNumberId: item.providerNumberId ?? item.displayNumber,
  credentialsUpdatedAt: item.credentialsUpdatedAt ?? item.updatedAt,
}));

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
