import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../domain/events';
import type { ConversationHandoffStore, PausePlan } from '../domain/handoff';
import { OUTBOX_ATTRIBUTE, outboxEntryOf } from '../domain/outbox';
import { unavailable } from './aws-errors';

/**
 * The hand-off state on the conversation item (`aiPausedUntil`, `pausedBy`, `pausedAt`), each
 * change one conditional `UpdateItem` that also writes its `conversation.handoff` event as the
 * item's outbox entry: the event relay publishes it from the table's stream, so a pause is never
 * written without being announced (nor announced without being written).
 * @example
 * const handoff = new DynamoDbConversationHandoff(documents, 'conversations-table');
 * await handoff.pause('cv_…', plan, pausedEvent(subject, plan));
 */
export class DynamoDbConversationHandoff implements ConversationHandoffStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async pause(conversationId: string, plan: PausePlan, event: DomainEvent): Promise<{ applied: boolean } | undefined> {
    const until = plan.until.toISOString();
    // `extend`: an owner reply never shortens a longer pause in place (an admin's, or an earlier reply's).
    const condition =
      plan.mode === 'extend'
        ? 'attribute_exists(conversationId) AND (attribute_not_exists(aiPausedUntil) OR aiPausedUntil < :until)'
        : 'attribute_exists(conversationId)';
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { conversationId },
          UpdateExpression: 'SET aiPausedUntil = :until, pausedBy = :by, pausedAt = :at, #outbox = :outbox',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
          ExpressionAttributeValues: { ':until': until, ':by': plan.by, ':at': plan.at.toISOString(), ':outbox': outboxEntryOf(event) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ? { applied: false } : undefined;
      throw unavailable('DynamoDB UpdateItem (conversation pause)', error);
    }
  }

  async resume(conversationId: string, at: Date, event: DomainEvent): Promise<{ applied: boolean }> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { conversationId },
          UpdateExpression: 'SET resumedAt = :at, #outbox = :outbox REMOVE aiPausedUntil, pausedBy, pausedAt',
          ConditionExpression: 'attribute_exists(aiPausedUntil)',
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':outbox': outboxEntryOf(event) },
        }),
      );
      return { applied: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { applied: false };
      throw unavailable('DynamoDB UpdateItem (conversation resume)', error);
    }
  }
}
