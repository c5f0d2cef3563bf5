import type { DeliveryStatus } from './message';

/**
 * How far along a message is. A status update is applied only when it moves the rank up, so
 * callbacks arriving in any order end at the furthest state. Failure ranks above everything so
 * nothing moves a failed message again, and a failure is accepted only before `delivered`
 * (see `FAILURE_ALLOWED_BELOW_RANK`): a late `failed` must never hide a message the customer saw.
 */
export const DELIVERY_STATUS_RANK: Readonly<Record<DeliveryStatus, number>> = {
  queued: 10,
  sent: 20,
  delivered: 30,
  read: 40,
  undelivered: 90,
  failed: 90,
};

export const FAILURE_ALLOWED_BELOW_RANK = DELIVERY_STATUS_RANK.delivered;

export function isFailure(status: DeliveryStatus): boolean {
  return status === 'failed' || status === 'undelivered';
}

/**
 * The highest rank a message may currently have for `next` to be applied (exclusive).
 * @example maxRankAllowingUpdateTo('read') // 40: anything below read may become read
 */
export function maxRankAllowingUpdateTo(next: DeliveryStatus): number {
  return isFailure(next) ? FAILURE_ALLOWED_BELOW_RANK : DELIVERY_STATUS_RANK[next];
}

/** Pure form of the rule the store enforces with a condition expression. */
export function canMoveTo(current: DeliveryStatus | undefined, next: DeliveryStatus): boolean {
  const currentRank = current ? DELIVERY_STATUS_RANK[current] : 0;
  return currentRank < maxRankAllowingUpdateTo(next);
}
