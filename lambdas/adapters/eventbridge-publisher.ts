import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type DomainEvent } from '../domain/events';
import type { EventPublisher } from '../domain/ports';
import { RetryableError } from '../shared/errors';
import { unavailable } from './aws-errors';

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

  async publish(events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
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
