/** Run `worker` over `items` with at most `limit` in flight; stops taking new items once `stop()` says so. */
export async function runPool<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>, stop: () => boolean): Promise<T[]> {
  const skipped: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      if (stop()) {
        skipped.push(item);
        continue;
      }
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return skipped;
}
