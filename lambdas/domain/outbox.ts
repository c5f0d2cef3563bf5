/**
 * The outbox: an event is written on the very item whose change it announces, in the same write
 * (`outbox` attribute), and published from the table's stream by the event relay. A function that
 * dies between its write and a publish can no longer lose the event: there is no second call.
 *
 * Each entry has an id, the event's `eventId` (also put in its `detail`, an additive field): stable for one
 * state change, so a consumer can drop the duplicates that at-least-once delivery (the relay's
 * retries, EventBridge's own) may bring.
 */
import type { DomainEvent } from './events';

/** The item attribute that carries the entry. */
export const OUTBOX_ATTRIBUTE = 'outbox';

/** What a write puts in {@link OUTBOX_ATTRIBUTE}: the event, its detail as the JSON EventBridge takes. */
export interface OutboxEntry {
  /** The event's `eventId`. A later write that leaves the attribute alone publishes nothing. */
  id: string;
  detailType: DomainEvent['detailType'];
  /** `JSON.stringify(detail)`, `eventId` included: stored as a string, so it reads back byte for byte. */
  detail: string;
}

/**
 * The id of one state change, from what identifies it: the message and its status, the window and
 * its expiry time… The same change always gets the same id, whichever function or retry writes it.
 * @example eventIdOf({ detailType: 'message.status', detail: { messageId: 'msg_1', status: 'read', … } }) // 'message.status/msg_1/read'
 */
export function eventIdOf(event: DomainEvent): string {
  const detail = event.detail as Record<string, unknown>;
  const parts: unknown[] = (() => {
    switch (event.detailType) {
      case 'message.received':
        return [detail.messageId];
      case 'message.status':
        return [detail.messageId, detail.status];
      case 'send.failed':
        return detail.messageId !== undefined ? [detail.messageId] : [detail.businessId, detail.idempotencyKey];
      case 'window.expiring':
        return [detail.conversationId, detail.windowExpiresAt];
      case 'connection.changed':
        return [detail.connectionId, detail.change, detail.at];
      default:
        // A kind added later: the most specific id it carries, and when.
        return [detail.messageId ?? detail.conversationId ?? detail.connectionId, detail.at];
    }
  })();
  return [event.detailType, ...parts.filter((part) => part !== undefined).map(String)].join('/');
}

/**
 * The event with its `eventId` in the detail (kept when it has one already).
 * @example withEventId(event).detail.eventId // 'message.received/msg_1'
 */
export function withEventId<E extends DomainEvent>(event: E): E & { detail: { eventId: string } } {
  const existing = (event.detail as { eventId?: unknown }).eventId;
  if (typeof existing === 'string') return event as E & { detail: { eventId: string } };
  return { ...event, detail: { ...event.detail, eventId: eventIdOf(event) } };
}

/**
 * The entry a write puts on its item for `event`.
 * @example
 * Item: { ...message, [OUTBOX_ATTRIBUTE]: outboxEntryOf(receivedEvent) }
 */
export function outboxEntryOf(event: DomainEvent): OutboxEntry {
  const stamped = withEventId(event);
  return { id: stamped.detail.eventId, detailType: stamped.detailType, detail: JSON.stringify(stamped.detail) };
}

/** Reads an entry back from an item; undefined for anything else (a foreign or damaged value). */
export function outboxEntryFrom(value: unknown): OutboxEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, detailType, detail } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || typeof detailType !== 'string' || typeof detail !== 'string') return undefined;
  return { id, detailType: detailType as OutboxEntry['detailType'], detail };
}

/**
 * What one item change has to publish: the new image's entry, unless the old image had the same
 * entry (the write did not touch `outbox`: a status update of an item whose event went out before).
 * @example outboxChange({ outbox: entryB }, { outbox: entryA }) // entryB
 */
export function outboxChange(
  newImage: Record<string, unknown> | undefined,
  oldImage: Record<string, unknown> | undefined,
): OutboxEntry | undefined {
  const next = outboxEntryFrom(newImage?.[OUTBOX_ATTRIBUTE]);
  if (!next) return undefined;
  const previous = outboxEntryFrom(oldImage?.[OUTBOX_ATTRIBUTE]);
  return previous?.id === next.id ? undefined : next;
}
