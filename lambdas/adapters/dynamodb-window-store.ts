import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../domain/events';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import type { ExpiryQueryRange, WindowCandidate, WindowStore } from '../domain/window-expiry';
import type { WindowState } from '../domain/window';
import { shardedPartitions, WINDOW_EXPIRY_SHARDS } from '../domain/write-shards';
import { forEachLimited } from '../shared/concurrency';
import { unavailable } from './aws-errors';

/** The conversations' GSI keyed by expiry hour bucket (pk) and `windowExpiresAt` (sk). */
export const WINDOW_EXPIRY_INDEX = 'byWindowExpiry';

/** What the queries of a store have read so far: the cost of the job, for logs and tests. */
export interface WindowQueryStats {
  queries: number;
  /** Items returned (`Count`). */
  count: number;
  /** Items DynamoDB read to answer (`ScannedCount`): what read capacity is paid for. */
  scannedCount: number;
  /** Read capacity units reported by DynamoDB (`ReturnConsumedCapacity: TOTAL`), when it reports it. */
  consumedCapacityUnits: number;
}

const WINDOW_STATES: readonly string[] = ['open', 'expiring', 'closed'];

/** Shard queries in flight at once: a run reads 4 buckets × 17 partitions, mostly empty ones. */
const QUERY_CONCURRENCY = 8;

/**
 * Conversations' 24-hour windows in DynamoDB, read through the `byWindowExpiry` index.
 *
 * Each hour bucket of the range is written under {@link WINDOW_EXPIRY_SHARDS} partitions
 * (`2026-11-27T10#0`…`#15`, see `write-shards.ts`) plus the unsuffixed one of items written before
 * sharding; each is one `Query` with a key condition on `windowExpiresAt`, so the items read
 * are exactly the windows closing in the range. A closed conversation also leaves the index
 * (`windowExpiryBucket` is removed; the webhook sets it again with the next customer message), so
 * windows that closed earlier are not read again on every run of the look-back.
 * @example
 * const store = new DynamoDbWindowStore(documents, conversationsTable);
 * const candidates = await store.candidates(expiryQueryRange(new Date(), 60 * 60_000));
 * store.stats.scannedCount // items read
 */
export class DynamoDbWindowStore implements WindowStore {
  readonly stats: WindowQueryStats = { queries: 0, count: 0, scannedCount: 0, consumedCapacityUnits: 0 };

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly indexName: string = WINDOW_EXPIRY_INDEX,
  ) {}

  async candidates(range: ExpiryQueryRange): Promise<WindowCandidate[]> {
    const partitions = range.buckets.flatMap((bucket) => shardedPartitions(bucket, WINDOW_EXPIRY_SHARDS));
    const pages: WindowCandidate[][] = partitions.map(() => []);
    await forEachLimited(partitions.map((partition, index) => ({ partition, index })), QUERY_CONCURRENCY, async ({ partition, index }) => {
      pages[index] = await this.queryBucket(partition, range);
    });
    return pages.flat();
  }

  private async queryBucket(bucket: string, range: ExpiryQueryRange): Promise<WindowCandidate[]> {
    const found: WindowCandidate[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let result;
      try {
        result = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: this.indexName,
            KeyConditionExpression: 'windowExpiryBucket = :bucket AND windowExpiresAt BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':bucket': bucket, ':from': range.from, ':to': range.to },
            ProjectionExpression: 'conversationId, businessId, connectionId, windowExpiresAt, windowState, expiringNotifiedFor',
            ReturnConsumedCapacity: 'TOTAL',
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Query (byWindowExpiry)', error);
      }
      this.stats.queries++;
      this.stats.count += result.Count ?? 0;
      this.stats.scannedCount += result.ScannedCount ?? 0;
      this.stats.consumedCapacityUnits += result.ConsumedCapacity?.CapacityUnits ?? 0;
      for (const item of result.Items ?? []) {
        const candidate = candidateOf(item);
        if (candidate) found.push(candidate);
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async markExpiring(candidate: WindowCandidate, at: Date, event: DomainEvent): Promise<boolean> {
    return this.conditionalUpdate('expiring', {
      TableName: this.tableName,
      Key: { conversationId: candidate.conversationId },
      // The event rides on the mark (the relay publishes it from the stream): marked ⇔ announced.
      UpdateExpression: 'SET windowState = :expiring, expiringNotifiedFor = :seen, expiringFlaggedAt = :at, #outbox = :outbox',
      // Once per window: not yet notified for this windowExpiresAt, and the window is still the
      // one the index showed (a customer message since then moved it, and wins).
      ConditionExpression:
        'windowExpiresAt = :seen AND windowState <> :closed AND ' +
        '(attribute_not_exists(expiringNotifiedFor) OR expiringNotifiedFor <> :seen)',
      ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':expiring': 'expiring',
        ':closed': 'closed',
        ':seen': candidate.windowExpiresAt,
        ':at': at.toISOString(),
        ':outbox': outboxEntryOf(event),
      },
    });
  }

  async markClosed(candidate: WindowCandidate, at: Date): Promise<boolean> {
    return this.conditionalUpdate('closed', {
      TableName: this.tableName,
      Key: { conversationId: candidate.conversationId },
      // Leaving the index: a closed window costs no read in later runs.
      UpdateExpression: 'SET windowState = :closed, windowClosedAt = :at REMOVE windowExpiryBucket',
      // A customer message that reopened the window (new windowExpiresAt) wins.
      ConditionExpression: 'windowExpiresAt = :seen AND windowExpiresAt <= :at',
      ExpressionAttributeValues: { ':closed': 'closed', ':seen': candidate.windowExpiresAt, ':at': at.toISOString() },
    });
  }

  private async conditionalUpdate(what: string, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    try {
      await this.documents.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(`DynamoDB UpdateItem (window ${what})`, error);
    }
  }
}

function candidateOf(item: Record<string, unknown>): WindowCandidate | undefined {
  const { conversationId, businessId, connectionId, windowExpiresAt, windowState, expiringNotifiedFor } = item;
  if (
    typeof conversationId !== 'string' ||
    typeof businessId !== 'string' ||
    typeof connectionId !== 'string' ||
    typeof windowExpiresAt !== 'string'
  ) {
    return undefined;
  }
  return {
    conversationId,
    businessId,
    connectionId,
    windowExpiresAt,
    windowState: (typeof windowState === 'string' && WINDOW_STATES.includes(windowState) ? windowState : 'open') as WindowState,
    ...(typeof expiringNotifiedFor === 'string' && { expiringNotifiedFor }),
  };
}
