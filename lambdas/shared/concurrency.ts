/**
 * Runs `work` over `items` with at most `limit` at a time, in the order given; resolves when all
 * are done and rejects with the first failure (the others still run to their end).
 * @example await forEachLimited(chains, 8, (chain) => storeChain(chain));
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}
