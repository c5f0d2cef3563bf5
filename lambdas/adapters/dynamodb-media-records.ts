import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MediaFailureCounter, MediaRecordStore } from '../domain/media/ports';
import type { MediaMirror } from '../domain/message';
import { unavailable } from './aws-errors';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The mirror state of a message's media items, on the message item itself
 * (`content.media[i].mirror`): the AI Lambda and the admin API read it with the message, and one
 * conditional UpdateItem per item records a result exactly once.
 * @example const records = new DynamoDbMediaRecords(documents, env.MESSAGES_TABLE);
 */
export class DynamoDbMediaRecords implements MediaRecordStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly messagesTable: string,
  ) {}

  async current(conversationId: string, messageId: string): Promise<Array<MediaMirror | undefined> | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.documents.send(
          new GetCommand({
            TableName: this.messagesTable,
            Key: { conversationId, messageId },
            ProjectionExpression: '#content.#media',
            ExpressionAttributeNames: { '#content': 'content', '#media': 'media' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (message media)', error);
    }
    if (!item) return undefined;
    const media = (item.content as { media?: unknown } | undefined)?.media;
    if (!Array.isArray(media)) return [];
    return media.map((entry) => (entry && typeof entry === 'object' ? ((entry as { mirror?: MediaMirror }).mirror ?? undefined) : undefined));
  }

  /**
   * `SET content.media[index].mirror` on condition that the message exists, has that item, and the
   * item has no final state yet (none, or `pending`): a retry or a duplicate event cannot overwrite
   * a result, and a result is never written onto a message that is gone.
   */
  async record(conversationId: string, messageId: string, index: number, mirror: MediaMirror): Promise<'recorded' | 'already-final'> {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`not a media index: ${index}`);
    const path = `#content.#media[${index}]`;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.messagesTable,
          Key: { conversationId, messageId },
          UpdateExpression: `SET ${path}.#mirror = :mirror`,
          ConditionExpression: `attribute_exists(${path}) AND (attribute_not_exists(${path}.#mirror) OR ${path}.#mirror.#status = :pending)`,
          ExpressionAttributeNames: { '#content': 'content', '#media': 'media', '#mirror': 'mirror', '#status': 'status' },
          ExpressionAttributeValues: { ':mirror': mirror, ':pending': 'pending' },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already-final';
      throw unavailable('DynamoDB UpdateItem (message media)', error);
    }
  }
}

/**
 * Failed media downloads per connection and clock hour, as counter items in the dedupe table
 * (`mediafail#<connectionId>#<hour>`, `ADD failures 1`, deleted by TTL after two hours). "The last
 * hour" is this hour's counter plus the previous one: never less than the failures of any
 * 60 minutes, so stopping at the threshold keeps every rolling hour under it.
 * @example const counter = new DynamoDbMediaFailureCounter(documents, env.DEDUPE_TABLE);
 */
export class DynamoDbMediaFailureCounter implements MediaFailureCounter {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly dedupeTable: string,
  ) {}

  async recent(connectionId: string, now: Date): Promise<number> {
    const hour = Math.floor(now.getTime() / HOUR_MS);
    const keys = [hour, hour - 1].map((h) => ({ dedupeKey: counterKey(connectionId, h) }));
    try {
      const result = await this.documents.send(
        new BatchGetCommand({ RequestItems: { [this.dedupeTable]: { Keys: keys, ProjectionExpression: 'failures' } } }),
      );
      return (result.Responses?.[this.dedupeTable] ?? []).reduce((sum, item) => sum + (Number(item.failures) || 0), 0);
    } catch (error) {
      throw unavailable('DynamoDB BatchGetItem (media failures)', error);
    }
  }

  async add(connectionId: string, now: Date): Promise<void> {
    const hour = Math.floor(now.getTime() / HOUR_MS);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.dedupeTable,
          Key: { dedupeKey: counterKey(connectionId, hour) },
          UpdateExpression: 'ADD failures :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ExpressionAttributeValues: { ':one': 1, ':expires': Math.floor(((hour + 2) * HOUR_MS) / 1000) },
        }),
      );
    } catch (error) {
      throw unavailable('DynamoDB UpdateItem (media failures)', error);
    }
  }
}

function counterKey(connectionId: string, hour: number): string {
  return `mediafail#${connectionId}#${hour}`;
}
