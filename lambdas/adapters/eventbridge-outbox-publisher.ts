import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../domain/events';
import type { OutboxEntry } from '../domain/outbox';
import type { OutboxPublisher } from '../domain/outbox-relay';
import { unavailable } from './aws-errors';

/**
 * Publishes outbox entries on the product's bus with one `PutEvents` (at most 10 entries), telling
 * which entries EventBridge refused so that only those (and what follows them) are retried.
 * @example
 * const { failed } = await new EventBridgeOutboxPublisher(eventBridge, 'echo-whatsapp-bus').publish(entries);
 */
export class EventBridgeOutboxPublisher implements OutboxPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(entries: OutboxEntry[]): Promise<{ failed: number[] }> {
    if (entries.length === 0) return { failed: [] };
    let result;
    try {
      result = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: entries.map((entry) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: entry.detailType,
            Detail: entry.detail,
          })),
        }),
      );
    } catch (error) {
      throw unavailable('EventBridge PutEvents (outbox)', error);
    }
    if (!result.FailedEntryCount) return { failed: [] };
    // Entries come back in the order sent; a refused one carries an ErrorCode instead of an EventId.
    const failed = (result.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
    return { failed: failed.length > 0 ? failed : entries.map((_, index) => index) };
  }
}
