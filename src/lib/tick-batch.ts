/**
 * Calls made during one tick, sent together when it ends: `send` gets the items in the order they
 * were added and answers one result per item, in that order. Each caller gets its own result, or
 * the failure of the whole batch.
 */
export class TickBatch<I, R> {
  private items: I[] = [];
  private waiters: { resolve: (result: R) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly send: (items: I[]) => Promise<R[]>) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.items.length === 0) process.nextTick(() => this.flush());
      this.items.push(item);
      this.waiters.push({ resolve, reject });
    });
  }

  private flush(): void {
    const { items, waiters } = this;
    this.items = [];
    this.waiters = [];
    this.send(items).then(
      (results) => waiters.forEach((w, i) => w.resolve(results[i]!)),
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }
}
