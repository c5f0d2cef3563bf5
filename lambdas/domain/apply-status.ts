import type { Connection } from './connection';
import type { DomainEvent } from './events';
import { SAFE_ID } from './ids';
import type { StatusUpdate } from './message';
import type { Clock, EventPublisher, MessageStore, StatusChangeResult } from './ports';

export interface ApplyStatusDeps {
  store: MessageStore;
  events: EventPublisher;
  clock: Clock;
  onEventPublishFailed?: (error: unknown) => void;
}

/** Our key for an outbound message, carried on the BSP's status callback URL. */
export interface MessageKey {
  conversationId: string;
  messageId: string;
}

export type ApplyStatusResult = StatusChangeResult | { outcome: 'unaddressed' };

/**
 * Reads our message key from the callback's query parameters (`c` = conversation, `m` = message).
 * Returns undefined when either is missing or not a plain id: such a callback cannot be ours.
 */
export function messageKeyFromQuery(query: Record<string, string | undefined>): MessageKey | undefined {
  const conversationId = query.c;
  const messageId = query.m;
  if (!conversationId || !messageId || !SAFE_ID.test(conversationId) || !SAFE_ID.test(messageId)) return undefined;
  return { conversationId, messageId };
}

/**
 * Applies a delivery-status callback with one conditional update by primary key. Out-of-order,
 * repeated and unknown callbacks are all answered as handled: the BSP must never be made to
 * retry something that retrying cannot change.
 * @example
 * await applyStatus(connection, { conversationId, messageId }, update, deps) // { outcome: 'applied' }
 */
export async function applyStatus(
  connection: Connection,
  key: MessageKey | undefined,
  update: StatusUpdate,
  deps: ApplyStatusDeps,
): Promise<ApplyStatusResult> {
  if (!key) return { outcome: 'unaddressed' };
  const at = deps.clock.now();
  const result = await deps.store.applyStatus({
    ...key,
    connectionId: connection.connectionId,
    provider: update.provider,
    externalId: update.externalId,
    status: update.status,
    providerStatus: update.providerStatus,
    ...(update.errorCode !== undefined && { errorCode: update.errorCode }),
    ...(update.errorMessage !== undefined && { errorMessage: update.errorMessage }),
    at,
  });
  if (result.outcome === 'applied') {
    const event: DomainEvent = {
      detailType: 'message.status',
      detail: {
        version: 1,
        businessId: connection.businessId,
        connectionId: connection.connectionId,
        ...key,
        provider: update.provider,
        externalId: update.externalId,
        status: update.status,
        ...(update.errorCode !== undefined && { errorCode: update.errorCode }),
        at: at.toISOString(),
      },
    };
    await deps.events.publish([event]).catch((error: unknown) => deps.onEventPublishFailed?.(error));
  }
  return result;
}
