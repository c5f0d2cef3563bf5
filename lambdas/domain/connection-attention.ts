import * as z from 'zod';
import type { Connection } from './connection';
import type { DomainEvent } from './events';
import type { Clock } from './ports';

/**
 * A connection that needs its owner: the BSP refused its credentials (Twilio 20003, Meta 190,
 * 360dialog 401), so nothing will send until new ones are saved. Kept beside `status` rather than
 * as a third status: every reader that checks `status === 'active'` (webhook, reconciler, send)
 * keeps working unchanged, and a connection whose token was rotated at the BSP still receives.
 */
export const connectionAttentionSchema = z.object({
  reason: z.literal('credentials-rejected'),
  /** The BSP's code (`20003`, `190`, `HTTP_401`, `D360_INVALID_API_KEY`). */
  code: z.string().min(1),
  /** When it was first seen. */
  at: z.string().min(1),
});
export type ConnectionAttention = z.infer<typeof connectionAttentionSchema>;

/** Writes the attention marker on a connection item. */
export interface ConnectionAttentionStore {
  /**
   * Marks the connection, only if it is active and not marked yet (one conditional write: a burst
   * of failed sends writes once). Resolves with the connection's `verified` flag when this call
   * marked it, `undefined` when it was already marked (or is gone or disabled).
   * `only.credentialsUpdatedAt`: mark only while the connection still holds the credentials saved
   * then (the admin test judged those; a re-save meanwhile must not inherit their verdict).
   * `eventFor(verified)`: the event written as the connection's outbox entry in the marking write
   * itself (it carries the item's `verified`, hence a function of it); nothing when not marked.
   */
  markNeedsAttention(
    connectionId: string,
    attention: ConnectionAttention,
    only?: MarkCondition,
    eventFor?: (verified: boolean) => DomainEvent,
  ): Promise<{ verified: boolean } | undefined>;
}

/** Which credentials a rejection was seen with (see {@link ConnectionAttentionStore.markNeedsAttention}). */
export interface MarkCondition {
  credentialsUpdatedAt: string;
}

export interface CredentialsRejectedDeps {
  attention: ConnectionAttentionStore;
  clock: Clock;
  /** Called for every rejection seen, marked or not (the metric the alarm watches). */
  onRejected?: (connection: Pick<Connection, 'connectionId' | 'provider'>, code: string) => void;
}

/**
 * Handles a BSP refusing a connection's credentials: marks the connection `needs attention` once,
 * and the marking write carries `connection.changed` with `change: 'needs-attention'` as the
 * connection's outbox entry (the event relay publishes it), so the event exists exactly when this
 * call marked it, even if the function dies right after.
 * Saving new credentials or a passing connection test clears the marker (admin API). `only`:
 * see {@link ConnectionAttentionStore.markNeedsAttention}; not marked is `'already-marked'` then too.
 * @example
 * await reportCredentialsRejected(connection, '20003', { attention, clock }); // 'marked'
 */
export async function reportCredentialsRejected(
  connection: Pick<Connection, 'connectionId' | 'businessId' | 'provider' | 'status'>,
  code: string,
  deps: CredentialsRejectedDeps,
  only?: MarkCondition,
): Promise<'marked' | 'already-marked'> {
  deps.onRejected?.(connection, code);
  const now = deps.clock.now();
  const attention: ConnectionAttention = { reason: 'credentials-rejected', code, at: now.toISOString() };
  const marked = await deps.attention.markNeedsAttention(connection.connectionId, attention, only, (verified) =>
    needsAttentionEvent(connection, attention, verified, now),
  );
  return marked ? 'marked' : 'already-marked';
}

/** The `connection.changed` event of a connection that was just marked. */
export function needsAttentionEvent(
  connection: Pick<Connection, 'connectionId' | 'businessId' | 'provider' | 'status'>,
  attention: ConnectionAttention,
  verified: boolean,
  at: Date,
): DomainEvent {
  return {
    detailType: 'connection.changed',
    detail: {
      version: 1,
      businessId: connection.businessId,
      connectionId: connection.connectionId,
      provider: connection.provider,
      change: 'needs-attention',
      status: connection.status,
      verified,
      attention: { reason: attention.reason, code: attention.code },
      at: at.toISOString(),
    },
  };
}

/**
 * The send path's hook: reports a rejection (see {@link reportCredentialsRejected}) and never
 * throws, because the message's own failure is already recorded and must not be retried for a
 * marker. A failed write is told to `onMarkFailed`; the next rejected send tries again.
 * @example
 * const onCredentialsRejected = credentialsRejectedReporter({ attention, clock, onMarkFailed });
 * await onCredentialsRejected(connection, '190');
 */
export function credentialsRejectedReporter(
  deps: CredentialsRejectedDeps & { onMarkFailed?: (error: unknown) => void },
): (connection: Pick<Connection, 'connectionId' | 'businessId' | 'provider' | 'status'>, code: string) => Promise<void> {
  return async (connection, code) => {
    try {
      await reportCredentialsRejected(connection, code, deps);
    } catch (error) {
      deps.onMarkFailed?.(error);
    }
  };
}
