import type { DomainEvent } from '../events';
import type { Clock } from '../ports';
import type { OutboundMessageItem, OutcomeWatchdogStore } from './ports';

/** `send.failed` is not published here: each is written with the update that fails its message (outbox). */
export interface ExpireOutcomesDeps {
  store: OutcomeWatchdogStore;
  clock: Clock;
  /** Most messages settled per run; the rest wait for the next run. @default 1000 */
  limit?: number;
}

export interface ExpireOutcomesResult {
  /** Overdue index entries read. */
  overdue: number;
  /** Marked failed (`outcome-unknown`) by this run. */
  expired: number;
}

/**
 * Settles sends whose outcome stayed unknown: a BSP call that may or may not have gone out
 * (timeout, crash between claim and answer) and for which no status callback arrived before its
 * deadline (10 minutes). Reads only the overdue entries of the sparse `byOutcomeDeadline` index,
 * never the table; each one is failed with a conditional update that loses to any status callback
 * that arrives meanwhile, so a message the BSP did deliver is never called failed.
 * @example
 * await expireUnknownOutcomes({ store, clock }) // { overdue: 2, expired: 1 }
 */
export async function expireUnknownOutcomes(deps: ExpireOutcomesDeps): Promise<ExpireOutcomesResult> {
  const now = deps.clock.now();
  const keys = await deps.store.overdue(now, deps.limit ?? 1000);
  let expired = 0;
  for (const key of keys) {
    if (await deps.store.expire(key, now, (item) => outcomeUnknownEvent(item, now))) expired++;
  }
  return { overdue: keys.length, expired };
}

/** The `send.failed` of a message whose outcome stayed unknown, as its failing update writes it. */
export function outcomeUnknownEvent(item: OutboundMessageItem, at: Date): DomainEvent {
  return {
    detailType: 'send.failed',
    detail: {
      version: 1,
      businessId: item.businessId,
      connectionId: item.connectionId,
      conversationId: item.conversationId,
      messageId: item.messageId,
      idempotencyKey: item.idempotencyKey,
      reason: 'outcome-unknown',
      ...(item.lastErrorCode !== undefined && { errorCode: item.lastErrorCode }),
      errorMessage: item.errorReason ?? 'No status arrived for a send whose outcome was unknown.',
      ...(item.metadata && { metadata: item.metadata }),
      at: at.toISOString(),
    },
  };
}
