import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SetupResult } from '../domain/admin/contract';
import { connectionAttentionSchema } from '../domain/connection-attention';
import type { DomainEvent } from '../domain/events';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { NumberInUseError } from '../domain/admin/errors';
import type { AdminConnectionStore, ConnectionFields, StoredConnection, TestRecord } from '../domain/admin/ports';
import { isSharedNumber, providerNameSchema, type ProviderName } from '../domain/providers';
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
 *
 * One active connection per provider number across all businesses, race-safe the same way: a
 * claim item keyed `number#<provider>#<providerNumberId>` names the connection (and business)
 * holding the number. It is written in the save's transaction (`attribute_not_exists`, or already
 * this business's), the number the connection held before is released in that same transaction,
 * and DELETE releases it with the disabling. So claims and items never disagree, and of two
 * businesses racing for one number exactly one transaction commits. The claim is also the index
 * `findByProviderNumber` reads (Meta's app-level webhook routes `phone_number_id` by it). Items
 * saved before claims existed hold no claim until their next save.
 *
 * Pointer and claim items carry none of the `businessId`, `provider` or `providerNumberId`
 * attributes, so they are in no index and read as "no connection" to the webhook and send Lambdas
 * (their schema refuses them); `#` never occurs in a connection id (`SAFE_ID`), so the keys cannot
 * collide. A connection written without a pointer (the local seed) is adopted on first read
 * (`adoptExisting`).
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

  /** The claim item's key for a provider number. */
  static numberClaimKey(provider: ProviderName, providerNumberId: string): string {
    return `number#${provider}#${providerNumberId}`;
  }

  /** The transaction item that ends the business's pointer, only while it still names this connection. */
  private pointerRelease(businessId: string, connectionId: string) {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { connectionId: DynamoDbAdminConnectionStore.pointerKey(businessId) },
        ConditionExpression: 'currentConnectionId = :id',
        ExpressionAttributeValues: { ':id': connectionId },
      },
    };
  }

  async abandon(businessId: string, connectionId: string): Promise<void> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            this.pointerRelease(businessId, connectionId),
            { ConditionCheck: { TableName: this.tableName, Key: { connectionId }, ConditionExpression: 'attribute_not_exists(connectionId)' } },
          ],
        }),
      );
    } catch (error) {
      // Pointing elsewhere, or the connection exists after all: nothing to give up.
      if (error instanceof TransactionCanceledException) return;
      throw unavailable('DynamoDB TransactWriteItems (connection pointer release)', error);
    }
  }

  async save(fields: ConnectionFields, at: Date, event?: DomainEvent): Promise<StoredConnection | undefined> {
    const claimKey = isSharedNumber(fields.provider, fields.providerNumberId)
      ? undefined
      : DynamoDbAdminConnectionStore.numberClaimKey(fields.provider, fields.providerNumberId);
    // A concurrent re-save of this connection with another number makes our transaction refuse
    // (the item no longer holds the number we release): read again and retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const previous = await this.getItem(fields.connectionId, 'connection');
      const held = heldNumberOf(previous);
      const releaseKey = held ? DynamoDbAdminConnectionStore.numberClaimKey(held.provider, held.providerNumberId) : undefined;
      const release = releaseKey !== undefined && releaseKey !== claimKey && (await this.claimHolder(releaseKey)) === fields.connectionId;
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
              { Update: this.saveUpdate(fields, at, previous, event) },
              ...(claimKey !== undefined
                ? [
                    {
                      Put: {
                        TableName: this.tableName,
                        Item: {
                          connectionId: claimKey,
                          kind: 'number-claim',
                          claimProvider: fields.provider,
                          claimProviderNumberId: fields.providerNumberId,
                          claimBusinessId: fields.businessId,
                          claimConnectionId: fields.connectionId,
                          claimedAt: at.toISOString(),
                        },
                        // Free, or this business's already (a re-save, or its own earlier connection).
                        ConditionExpression: 'attribute_not_exists(connectionId) OR claimBusinessId = :business',
                        ExpressionAttributeValues: { ':business': fields.businessId },
                      },
                    },
                  ]
                : []),
              ...(release
                ? [
                    {
                      Delete: {
                        TableName: this.tableName,
                        Key: { connectionId: releaseKey },
                        ConditionExpression: 'claimConnectionId = :id',
                        ExpressionAttributeValues: { ':id': fields.connectionId },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return this.get(fields.connectionId);
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed) throw unavailable('DynamoDB TransactWriteItems (connection save)', error);
        if (failed[0]) return undefined;
        if (claimKey !== undefined && failed[2]) throw new NumberInUseError('This WhatsApp number is already connected to another business. Disconnect it there first.');
      }
    }
    throw unavailable('DynamoDB TransactWriteItems (connection save)', new Error('the connection kept changing'));
  }

  /** The connection item's update of a save: every attribute the fields name, the others removed. */
  private saveUpdate(fields: ConnectionFields, at: Date, previous: Record<string, unknown> | undefined, event: DomainEvent | undefined) {
    const now = at.toISOString();
    const names: Record<string, string> = { '#status': 'status', '#provider': 'provider' };
    const values: Record<string, unknown> = { ':false': false, ':active': 'active', ':now': now };
    const sets = ['#status = :active', 'verified = :false', 'updatedAt = :now', 'createdAt = if_not_exists(createdAt, :now)'];
    if (event) {
      // The save's `connection.changed`, published by the event relay from the stream.
      sets.push('#outbox = :outbox');
      names['#outbox'] = OUTBOX_ATTRIBUTE;
      values[':outbox'] = outboxEntryOf(event);
    }
    // A re-save invalidates the last test and setup (they judged other credentials), the facts
    // learnt with them, the disabled marker, the pre-`secretLast4` attribute and the attention
    // marker (the BSP refused the old credentials, not these).
    const removes = ['lastTest', 'facts', 'setup', 'disabledAt', 'disabledReason', 'authTokenLast4', 'attention'];
    const written: Record<keyof ConnectionFields, unknown> = {
      connectionId: undefined,
      businessId: fields.businessId,
      provider: fields.provider,
      displayNumber: fields.displayNumber,
      providerNumberId: fields.providerNumberId,
      providerAccountId: fields.providerAccountId,
      accountSid: fields.accountSid,
      messagingServiceSid: fields.messagingServiceSid,
      verifyToken: fields.verifyToken,
      secretArn: fields.secretArn,
      secretLast4: fields.secretLast4,
      credentialsUpdatedAt: fields.credentialsUpdatedAt,
      onboarding: fields.onboarding,
      coexistence: fields.coexistence,
    };
    for (const [name, value] of Object.entries(written)) {
      if (name === 'connectionId') continue;
      const attribute = name === 'provider' ? '#provider' : name;
      if (value === undefined) removes.push(attribute);
      else {
        sets.push(`${attribute} = :${name}`);
        values[`:${name}`] = value;
      }
    }
    let condition = 'attribute_not_exists(connectionId)';
    const held = heldNumberOf(previous);
    if (previous && held) {
      condition = '#provider = :prevProvider AND ' + (typeof previous.providerNumberId === 'string' ? 'providerNumberId = :prevNumber' : 'attribute_not_exists(providerNumberId)');
      values[':prevProvider'] = held.provider;
      if (typeof previous.providerNumberId === 'string') values[':prevNumber'] = previous.providerNumberId;
    } else if (previous) {
      condition = 'attribute_exists(connectionId) AND attribute_not_exists(#provider)';
    }
    return {
      TableName: this.tableName,
      Key: { connectionId: fields.connectionId },
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  async disable(businessId: string, connectionId: string, at: Date, event?: DomainEvent): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const held = heldNumberOf(await this.getItem(connectionId, 'connection'));
      const claimKey = held ? DynamoDbAdminConnectionStore.numberClaimKey(held.provider, held.providerNumberId) : undefined;
      const release = claimKey !== undefined && (await this.claimHolder(claimKey)) === connectionId;
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              this.pointerRelease(businessId, connectionId),
              {
                Update: {
                  TableName: this.tableName,
                  Key: { connectionId },
                  UpdateExpression: `SET #status = :disabled, verified = :false, updatedAt = :now, disabledAt = :now${event ? ', #outbox = :outbox' : ''}`,
                  ConditionExpression: 'attribute_exists(connectionId) AND businessId = :business',
                  ExpressionAttributeNames: { '#status': 'status', ...(event && { '#outbox': OUTBOX_ATTRIBUTE }) },
                  ExpressionAttributeValues: {
                    ':disabled': 'disabled',
                    ':false': false,
                    ':now': at.toISOString(),
                    ':business': businessId,
                    ...(event && { ':outbox': outboxEntryOf(event) }),
                  },
                },
              },
              ...(release
                ? [
                    {
                      Delete: {
                        TableName: this.tableName,
                        Key: { connectionId: claimKey },
                        ConditionExpression: 'claimConnectionId = :id',
                        ExpressionAttributeValues: { ':id': connectionId },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return true;
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed) throw unavailable('DynamoDB TransactWriteItems (connection disable)', error);
        if (failed[0] || failed[1]) return false;
        // Only the claim changed hands meanwhile (a re-save): read it again.
      }
    }
    throw unavailable('DynamoDB TransactWriteItems (connection disable)', new Error('the number claim kept changing'));
  }

  async recordTest(connectionId: string, credentialsUpdatedAt: string, result: TestRecord, at: Date, event?: DomainEvent): Promise<boolean> {
    const sets = ['verified = :verified', 'lastTest = :lastTest', 'updatedAt = :now'];
    const values: Record<string, unknown> = { ':verified': result.verified, ':lastTest': result.lastTest };
    if (event) {
      sets.push(`${OUTBOX_ATTRIBUTE} = :outbox`);
      values[':outbox'] = outboxEntryOf(event);
    }
    if (result.facts) {
      sets.push('facts = :facts');
      values[':facts'] = result.facts;
    }
    // Only a number the connection did not have (Meta, read by the test); never overwrites one.
    if (result.displayNumber) {
      sets.push('displayNumber = if_not_exists(displayNumber, :displayNumber)');
      values[':displayNumber'] = result.displayNumber;
    }
    // In the same conditional write: a marker removed here was about the credentials just accepted.
    const removes = result.clearAttention ? ['attention'] : [];
    return this.updateIfCurrent(connectionId, credentialsUpdatedAt, sets, values, at, 'connection test', removes);
  }

  async recordSetup(connectionId: string, credentialsUpdatedAt: string, setup: SetupResult, at: Date): Promise<boolean> {
    return this.updateIfCurrent(connectionId, credentialsUpdatedAt, ['setup = :setup', 'updatedAt = :now'], { ':setup': setup }, at, 'connection setup');
  }

  async findByProviderNumber(provider: ProviderName, providerNumberId: string): Promise<StoredConnection | undefined> {
    const holder = await this.claimHolder(DynamoDbAdminConnectionStore.numberClaimKey(provider, providerNumberId));
    if (holder === undefined) return undefined;
    const connection = await this.get(holder);
    return connection?.status === 'active' && connection.provider === provider && connection.providerNumberId === providerNumberId ? connection : undefined;
  }

  /**
   * One conditional `UpdateItem` on the business's current connection (the item must still be
   * this business's). The setting is kept across saves: `saveUpdate` neither sets nor removes it.
   */
  async setHandoffPauseHours(businessId: string, pauseHours: number, at: Date): Promise<StoredConnection | undefined> {
    const connection = await this.current(businessId);
    if (!connection) return undefined;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId: connection.connectionId },
          UpdateExpression: 'SET handoffPauseHours = :hours, updatedAt = :now',
          ConditionExpression: 'attribute_exists(connectionId) AND businessId = :business',
          ExpressionAttributeValues: { ':hours': pauseHours, ':now': at.toISOString(), ':business': businessId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw unavailable('DynamoDB UpdateItem (hand-off hours)', error);
    }
    return this.get(connection.connectionId);
  }

  /** An update applied only while the connection is active with the credentials saved at `credentialsUpdatedAt`. */
  private async updateIfCurrent(
    connectionId: string,
    credentialsUpdatedAt: string,
    sets: string[],
    values: Record<string, unknown>,
    at: Date,
    what: string,
    removes: readonly string[] = [],
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          // Items seeded without `credentialsUpdatedAt` were read with `updatedAt` in its place.
          ConditionExpression:
            '#status = :active AND (credentialsUpdatedAt = :credentialsAt OR (attribute_not_exists(credentialsUpdatedAt) AND updatedAt = :credentialsAt))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':now': at.toISOString(), ':active': 'active', ':credentialsAt': credentialsUpdatedAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(`DynamoDB UpdateItem (${what})`, error);
    }
  }

  /** The connection id a number claim names, if any. */
  private async claimHolder(claimKey: string): Promise<string | undefined> {
    const item = await this.getItem(claimKey, 'number claim');
    return typeof item?.claimConnectionId === 'string' ? item.claimConnectionId : undefined;
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

  private async getItem(key: string, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { connectionId: key }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw unavailable(`DynamoDB GetItem (${what})`, error);
    }
  }

  private async get(connectionId: string): Promise<StoredConnection | undefined> {
    const item = await this.getItem(connectionId, 'connection');
    const parsed = item ? storedConnectionSchema.safeParse(item) : undefined;
    return parsed?.success ? (stripUndefined(parsed.data) as StoredConnection) : undefined;
  }
}

/**
 * The number a connection item holds a claim on, as its save wrote it; items saved before
 * `providerNumberId` existed (Twilio) hold their display number.
 */
function heldNumberOf(item: Record<string, unknown> | undefined): { provider: ProviderName; providerNumberId: string } | undefined {
  const provider = providerNameSchema.safeParse(item?.provider);
  if (!provider.success) return undefined;
  const number = item?.providerNumberId ?? item?.displayNumber;
  return typeof number === 'string' && number.length > 0 ? { provider: provider.data, providerNumberId: number } : undefined;
}

/**
 * Which items of a cancelled transaction failed their condition (by position), or undefined when
 * the transaction failed for another reason (throttling, a conflict with another transaction).
 */
function failedConditions(error: unknown): boolean[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.map((reason) => reason?.Code === 'ConditionalCheckFailed');
  return failed.some(Boolean) ? failed : undefined;
}

/** Written by the webhook on Meta's `PARTNER_REMOVED` (see `DynamoDbCoexistenceStore`). */
const disabledReasonSchema = z.object({
  code: z.literal('partner-removed'),
  metaReason: z.string().optional(),
  initiatedBy: z.string().optional(),
  at: z.string(),
});

const testStepSchema = z.object({
  id: z.enum(['credentials', 'sender', 'testMessage']),
  ok: z.boolean(),
  skipped: z.boolean().optional(),
  code: z.string().optional(),
  detail: z.string(),
});

/**
 * Items written by `seedDemo` or before the three providers lack some attributes: they read with
 * safe defaults (`authTokenLast4` → `secretLast4.authToken`, `accountSid` → `providerAccountId`).
 */
const storedConnectionSchema = z
  .object({
    connectionId: z.string().min(1),
    businessId: z.string().min(1),
    provider: providerNameSchema,
    status: z.enum(['active', 'disabled']),
    displayNumber: z.string().min(1).optional(),
    providerNumberId: z.string().min(1).optional(),
    providerAccountId: z.string().min(1).optional(),
    accountSid: z.string().min(1).optional(),
    messagingServiceSid: z.string().optional(),
    verifyToken: z.string().min(1).optional(),
    secretArn: z.string().min(1),
    verified: z.boolean().default(false),
    secretLast4: z.record(z.string(), z.string()).optional(),
    authTokenLast4: z.string().optional(),
    lastTest: z.object({ at: z.string(), ok: z.boolean(), steps: z.array(testStepSchema) }).optional(),
    facts: z.object({ verifiedName: z.string().optional(), qualityRating: z.string().optional() }).optional(),
    setup: z.object({ at: z.string(), ok: z.boolean(), code: z.string().optional(), detail: z.string() }).optional(),
    lastInboundAt: z.string().optional(),
    // A malformed marker (hand-edited) reads as none rather than hiding the whole connection.
    attention: connectionAttentionSchema.optional().catch(undefined),
    credentialsUpdatedAt: z.string().optional(),
    createdAt: z.string().default(''),
    updatedAt: z.string().default(''),
    onboarding: z.enum(['embedded-signup']).optional().catch(undefined),
    coexistence: z.boolean().optional().catch(undefined),
    handoffPauseHours: z.number().positive().optional().catch(undefined),
    disabledReason: disabledReasonSchema.optional().catch(undefined),
    // The history import's attributes, top-level (a string set of chunks keeps replays counted once).
    historyStatus: z.enum(['importing', 'complete', 'declined']).optional().catch(undefined),
    historyProgress: z.number().optional(),
    historyPhase: z.number().optional(),
    historyChunks: z.instanceof(Set).optional().catch(undefined),
    historyMessages: z.number().optional(),
    historyUpdatedAt: z.string().optional(),
  })
  .refine((item) => item.providerNumberId !== undefined || item.displayNumber !== undefined, 'a connection without a number')
  .transform(({ authTokenLast4, historyStatus, historyProgress, historyPhase, historyChunks, historyMessages, historyUpdatedAt, ...item }) => ({
    ...item,
    // Written by the webhook as `history` chunks come (see `DynamoDbCoexistenceStore.recordHistory`).
    historyImport: historyStatus
      ? {
          status: historyStatus,
          progress: historyProgress ?? 0,
          ...(historyPhase !== undefined && { phase: historyPhase }),
          chunks: historyChunks?.size ?? 0,
          messages: historyMessages ?? 0,
          updatedAt: historyUpdatedAt ?? '',
        }
      : undefined,
    providerNumberId: (item.providerNumberId ?? item.displayNumber) as string,
    providerAccountId: item.providerAccountId ?? (item.provider === 'twilio' ? item.accountSid : undefined),
    secretLast4: item.secretLast4 ?? (authTokenLast4 ? { authToken: authTokenLast4 } : {}),
    credentialsUpdatedAt: item.credentialsUpdatedAt ?? item.updatedAt,
  }));

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
