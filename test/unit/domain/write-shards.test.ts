import { shardedPartition, shardedPartitions, writeShardOf } from '../../../lambdas/domain/write-shards';

describe('write shards', () => {
  it('spread many conversations evenly over the shards, each always on the same one', () => {
    // Prepare
    const keys = Array.from({ length: 16_000 }, (_, i) => `cv_${i.toString(36)}x${(i * 7919).toString(36)}`);

    // Act
    const counts = new Array<number>(16).fill(0);
    for (const key of keys) counts[writeShardOf(key, 16)]!++;

    // Assess: within ±15 % of the 1,000 per shard an even spread gives, and stable per key.
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1_150);
    expect(writeShardOf('cv_abc', 16)).toBe(writeShardOf('cv_abc', 16));
  });

  it('name the partition a writer uses among those a reader queries, legacy value last', () => {
    const written = shardedPartition('2026-11-27T10', 'cv_abc', 4);
    const read = shardedPartitions('2026-11-27T10', 4);

    expect(read).toEqual(['2026-11-27T10#0', '2026-11-27T10#1', '2026-11-27T10#2', '2026-11-27T10#3', '2026-11-27T10']);
    expect(read).toContain(written);
  });
});
