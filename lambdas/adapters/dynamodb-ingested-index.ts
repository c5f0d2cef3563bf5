import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dedupeKeyFor } from '../domain/ids';
import type { ProviderName } from '../domain/message';
import type { IngestedMessageIndex } from '../domain/reconcile-inbound';
import { unavailable } from './aws-errors';

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_SIZE = 100;
const MAX_UNPROCESSED_ATTEMPTS = 5;

/**
 * Which BSP messages were ingested, read from their dedupe items (`provider#externalId`) with
 * `BatchGetItem`: 100 keys per call, projecting the key only, eventually consistent (half the read
 * cost; the reconciler leaves the newest messages to the webhook, so a dedupe item it looks for was
 * written minutes ago, and a stale read would only send the message through the idempotent
 * ingestion, which answers `duplicate`). Unprocessed keys (throttling) are asked again with
 * backoff; if some remain, the call fails rather than calling present items missing.
 * @example
 * const present = await new DynamoDbIngestedIndex(documents, dedupeTable).existing('twilio', ['SM1', 'SM2']);
 */
export class DynamoDbIngestedIndex implements IngestedMessageIndex {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async existing(provider: ProviderName, externalIds: string[]): Promise<Set<string>> {
    const byKey = new Map(externalIds.map((id) => [dedupeKeyFor(provider, id), id]));
    const keys = [...byKey.keys()];
    const found = new Set<string>();
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      let pending: Record<string, unknown>[] = keys.slice(start, start + BATCH_SIZE).map((dedupeKey) => ({ dedupeKey }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_ATTEMPTS) {
          throw unavailable('DynamoDB BatchGetItem (dedupe)', new Error('keys left unprocessed'));
        }
        if (attempt > 1) await this.sleep(Math.random() * 50 * 2 ** attempt);
        let result;
        try {
          result = await this.documents.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: pending, ProjectionExpression: 'dedupeKey' } },
            }),
          );
        } catch (error) {
          throw unavailable('DynamoDB BatchGetItem (dedupe)', error);
        }
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const id = byKey.get(String(item.dedupeKey));
          if (id !== undefined) found.add(id);
        }
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return found;
  }
}
