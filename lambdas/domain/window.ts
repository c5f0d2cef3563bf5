import { shardedPartition, WINDOW_EXPIRY_SHARDS } from './write-shards';

/** WhatsApp lets a business send freeform messages for 24 hours after the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type WindowState = 'open' | 'expiring' | 'closed';

/**
 * The window fields a conversation carries after a customer message at `lastCustomerMessageAt`.
 * `windowExpiryBucket` is the hour the window closes in, write-sharded by the conversation id
 * (`#0`…`#15`, see `write-shards.ts`): the expiry job queries the few buckets ahead of it, every
 * shard, on a GSI instead of scanning every conversation.
 * @example windowAfter(new Date('2026-11-26T10:15:00Z'), 'cv_abc').windowExpiryBucket // '2026-11-27T10#<0..15>'
 */
export function windowAfter(
  lastCustomerMessageAt: Date,
  conversationId: string,
): {
  windowExpiresAt: string;
  windowExpiryBucket: string;
  windowState: WindowState;
} {
  const expiresAt = new Date(lastCustomerMessageAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
  return {
    windowExpiresAt: expiresAt.toISOString(),
    windowExpiryBucket: shardedPartition(expiryBucketOf(expiresAt), conversationId, WINDOW_EXPIRY_SHARDS),
    windowState: 'open',
  };
}

/** The hour bucket (`YYYY-MM-DDTHH`, UTC) of an instant, before its write shard is appended. */
export function expiryBucketOf(at: Date): string {
  return at.toISOString().slice(0, 13);
}
