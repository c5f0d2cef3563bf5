import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionAttention, ConnectionAttentionStore, MarkCondition } from '../domain/connection-attention';
import type { DomainEvent } from '../domain/events';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { unavailable } from './aws-errors';

/**
 * The `attention` marker on a connection item: one conditional UpdateItem that succeeds only for
 * an active connection not marked yet, so a burst of rejected sends writes (and announces) once.
 * The admin API removes the marker when the owner saves new credentials or a test passes, and
 * marks through this same write when its test sees the rejection (only for the credentials it tested).
 *
 * The write also carries the `connection.changed` it announces (outbox entry). That event names
 * the item's `verified`, which an UpdateItem cannot copy into another attribute: the write
 * assumes a value and makes it part of its condition; when only that part fails (DynamoDB returns
 * the item, `ReturnValuesOnConditionCheckFailure`) it is written again with the item's value.
 * One call as a rule (a connection whose sends are refused was verified), two otherwise.
 * @example
 * await new DynamoDbConnectionAttention(documents, 'connections').markNeedsAttention('cn_1', attention);
 */
export class DynamoDbConnectionAttention implements ConnectionAttentionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markNeedsAttention(
    connectionId: string,
    attention: ConnectionAttention,
    only?: MarkCondition,
    eventFor?: (verified: boolean) => DomainEvent,
  ): Promise<{ verified: boolean } | undefined> {
    if (!eventFor) {
      const marked = await this.mark(connectionId, attention, only, undefined);
      return marked === 'verified-differs' ? undefined : marked;
    }
    const first = await this.mark(connectionId, attention, only, { verified: true, event: eventFor(true) });
    if (first !== 'verified-differs') return first;
    const second = await this.mark(connectionId, attention, only, { verified: false, event: eventFor(false) });
    // Verified again in between: the next rejected send marks it.
    return second === 'verified-differs' ? undefined : second;
  }

  private async mark(
    connectionId: string,
    attention: ConnectionAttention,
    only: MarkCondition | undefined,
    announce: { verified: boolean; event: DomainEvent } | undefined,
  ): Promise<{ verified: boolean } | undefined | 'verified-differs'> {
    let condition = 'attribute_exists(connectionId) AND #status = :active AND attribute_not_exists(attention)';
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':attention': attention, ':active': 'active' };
    let update = 'SET attention = :attention';
    if (only) {
      // The admin store's own test for "the credentials saved then" (items seeded without
      // `credentialsUpdatedAt` are read with `updatedAt` in its place).
      condition += ' AND (credentialsUpdatedAt = :credentialsAt OR (attribute_not_exists(credentialsUpdatedAt) AND updatedAt = :credentialsAt))';
      values[':credentialsAt'] = only.credentialsUpdatedAt;
    }
    if (announce) {
      // An item without `verified` reads as unverified, as everywhere else.
      condition += announce.verified ? ' AND verified = :true' : ' AND (attribute_not_exists(verified) OR verified <> :true)';
      values[':true'] = true;
      update += ', #outbox = :outbox';
      names['#outbox'] = OUTBOX_ATTRIBUTE;
      values[':outbox'] = outboxEntryOf(announce.event);
    }
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ...(announce && { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
        }),
      );
      return { verified: Attributes?.verified === true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return announce && markableButVerifiedDiffers(error.Item, announce.verified) ? 'verified-differs' : undefined;
      }
      throw unavailable('DynamoDB UpdateItem (connection attention)', error);
    }
  }
}

/**
 * Whether a refused mark failed only on its assumed `verified` (the item, raw as DynamoDB returns
 * it on a failed condition, is an active unmarked connection). The credentials condition is left
 * to the second write: it fails again there if that was the reason.
 */
function markableButVerifiedDiffers(item: Record<string, AttributeValue> | undefined, assumed: boolean): boolean {
  if (!item?.connectionId || item.status?.S !== 'active' || item.attention !== undefined) return false;
  return (item.verified?.BOOL === true) !== assumed;
}
