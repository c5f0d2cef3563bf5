/**
 * Write sharding of GSI partitions that would otherwise take every write in one partition.
 *
 * A GSI partition takes about 1,000 writes/s. The window-expiry index (one partition per expiry
 * hour) and the outcome-deadline index (one `pending` partition) each sat on one such partition, so
 * each capped the whole product at ~1,000 customer messages (or sends) per second. The partition
 * value now carries a suffix `#<0..shards-1>` derived from the item's own key, which spreads the
 * writes over `shards` partitions; a reader queries every suffix (and, see {@link shardedPartitions},
 * the old unsuffixed value, for items written before the change).
 *
 * The shard counts are constants, not settings: writers and readers must agree, and a reader that
 * queried fewer suffixes than a writer used would silently miss items. To change one, make readers
 * query the union of old and new suffixes first, then change the writers.
 */

/** Shards of `windowExpiryBucket` (conversations' `byWindowExpiry` index): 16 × 1,000 writes/s. */
export const WINDOW_EXPIRY_SHARDS = 16;

/** Shards of `outcomePending` (messages' `byOutcomeDeadline` index): 16 × 1,000 writes/s. */
export const OUTCOME_PENDING_SHARDS = 16;

/**
 * The shard (0..shards-1) of an item key: FNV-1a, stable across processes and versions (the
 * readers never need to know it, only the writers must spread evenly).
 * @example writeShardOf('cv_abc', 16) // a number in 0..15, always the same for 'cv_abc'
 */
export function writeShardOf(itemKey: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < itemKey.length; i++) {
    hash ^= itemKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * The partition value an item is written under.
 * @example shardedPartition('2026-11-27T10', 'cv_abc', 16) // '2026-11-27T10#7'
 */
export function shardedPartition(value: string, itemKey: string, shards: number): string {
  return `${value}#${writeShardOf(itemKey, shards)}`;
}

/**
 * Every partition value a reader must query for one logical partition: each suffix, then the
 * unsuffixed value itself. Items written before sharding (at most a day old for window buckets,
 * minutes for pending outcomes) live under the bare value; querying it costs one empty query once
 * they are gone, which is cheaper than a migration and can never miss one.
 * @example shardedPartitions('pending', 2) // ['pending#0', 'pending#1', 'pending']
 */
export function shardedPartitions(value: string, shards: number): string[] {
  return [...Array.from({ length: shards }, (_, shard) => `${value}#${shard}`), value];
}
