import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SendClaim, SendClaimStore } from '../domain/admin/ports';
import { unavailable } from './aws-errors';

const claimItemSchema = z.object({
  messageId: z.string().min(1),
  conversationId: z.string().min(1),
});

/** A claim that vanished between the failed Put and the Get (TTL deletion) is claimed again, a few times at most. */
const MAX_ATTEMPTS = 3;

/**
 * Admin send claims in the dedupe table: one item per key (`dedupeKey`, e.g.
 * `admin#<businessId>#<idempotencyKey>`) with `messageId`, `conversationId` and the TTL attribute
 * `expiresAt` (epoch seconds). A claim is one conditional `PutItem` (`attribute_not_exists`), so of
 * two concurrent claims exactly one is created; the loser reads the winner with a consistent `GetItem`.
 * @example
 * const { claim } = await new DynamoDbSendClaimStore(documents, dedupeTable).claim('admin#acme#k1', { messageId, conversationId }, expiresAt);
 */
export class DynamoDbSendClaimStore implements SendClaimStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(dedupeKey: string, claim: SendClaim, expiresAt: Date): Promise<{ claim: SendClaim; created: boolean }> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              dedupeKey,
              messageId: claim.messageId,
              conversationId: claim.conversationId,
              expiresAt: Math.floor(expiresAt.getTime() / 1000),
            },
            ConditionExpression: 'attribute_not_exists(dedupeKey)',
          }),
        );
        return { claim: { messageId: claim.messageId, conversationId: claim.conversationId }, created: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw unavailable('DynamoDB PutItem (admin send claim)', error);
      }
      const existing = await this.read(dedupeKey);
      if (existing) return { claim: existing, created: false };
    }
    throw unavailable('DynamoDB PutItem (admin send claim)', new Error(`the claim ${dedupeKey} kept disappearing`));
  }

  private async read(dedupeKey: string): Promise<SendClaim | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { dedupeKey }, ConsistentRead: true }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (admin send claim)', error);
    }
    if (!item) return undefined;
    const parsed = claimItemSchema.safeParse(item);
    // Not ours to overwrite: some other writer's item under this key.
    if (!parsed.success) throw new Error(`the dedupe item ${dedupeKey} is not an admin send claim`);
    return parsed.data;
  }
}
