/** Items in arrival order; `next()` waits for the next one (no sleeps, only events). */
export class Mailbox<T> {
  private readonly queue: T[] = [];
  private waiters: ((item: T) => void)[] = [];

  put(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.queue.push(item);
  }

  /** The next item (the test runner's timeout bounds the wait). */
  next(): Promise<T> {
    return this.queue.length ? Promise.resolve(this.queue.shift()!) : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Skips items until one that `matches` arrives. */
  async nextWhere(matches: (item: T) => boolean): Promise<T> {
    for (;;) {
      const item = await this.next();
      if (matches(item)) return item;
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
