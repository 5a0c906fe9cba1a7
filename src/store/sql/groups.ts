import { StoreUnavailable } from '../engine/unavailable.ts';

interface Pending<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Writes asked for one by one, written in groups (PostgreSQL, outside a transaction): each
 * group is one statement (`many`), one round trip and one commit for all of it, as SQLite's
 * group commit does. A group leaves at the end of the event-loop turn it began in, or, while
 * `most` groups are already being written, as soon as one of them is done: the busier, the
 * larger the groups. A group of one is written by `one`; a group the server refuses for
 * anything but a lost connection is written again item by item, so an item fails only for its
 * own reason. `many` answers a result per item, in order.
 */
export class WriteGroups<I, R> {
  private pending: Pending<I, R>[] | null = null;
  private running = 0;

  constructor(
    private readonly many: (items: I[]) => Promise<R[]>,
    private readonly one: (item: I) => Promise<R>,
    private readonly most = 2,
  ) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = [];
        if (this.running < this.most) setImmediate(() => this.flush());
      }
      this.pending.push({ item, resolve, reject });
    });
  }

  private flush(): void {
    const group = this.pending;
    if (!group) return;
    this.pending = null;
    this.running++;
    void this.write(group).finally(() => {
      this.running--;
      this.flush();
    });
  }

  private async write(group: Pending<I, R>[]): Promise<void> {
    const each = () => Promise.all(group.map((p) => this.one(p.item).then(p.resolve, p.reject)));
    if (group.length === 1) return void (await each());
    let results: R[];
    try {
      results = await this.many(group.map((p) => p.item));
    } catch (err) {
      if (err instanceof StoreUnavailable) for (const p of group) p.reject(err);
      else await each();
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]!));
  }
}
