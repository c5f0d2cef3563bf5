import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type DomainEvent } from '../domain/events';
import type { EventPublisher } from '../domain/ports';
import { RetryableError } from '../shared/errors';
import { unavailable } from './aws-errors';

/** EventBridge's limit on the entries of one `PutEvents`. */
const PUT_EVENTS_ENTRIES = 10;

/** Thrown when EventBridge accepted the call but rejected some entries. */
export class EventPublishError extends RetryableError {}

/**
 * Publishes domain events on the product's bus.
 * @example
 * await new EventBridgePublisher(eventBridge, 'echo-whatsapp-bus').publish([event]);
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly busName: string,
  ) {}

  /** PutEvents takes 10 entries per call: larger lists go out as several calls at once. */
  async publish(events: DomainEvent[]): Promise<void> {
    const chunks: DomainEvent[][] = [];
    for (let start = 0; start < events.length; start += PUT_EVENTS_ENTRIES) chunks.push(events.slice(start, start + PUT_EVENTS_ENTRIES));
    await Promise.all(chunks.map((chunk) => this.publishChunk(chunk)));
  }

  private async publishChunk(events: DomainEvent[]): Promise<void> {
    let failed: number;
    try {
      const result = await this.eventBridge.send(
        new PutEventsCommand({
          Entries: events.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      failed = result.FailedEntryCount ?? 0;
    } catch (error) {
      throw unavailable('EventBridge PutEvents', error);
    }
    if (failed > 0) throw new EventPublishError(`EventBridge rejected ${failed} of ${events.length} events`);
  }
}
