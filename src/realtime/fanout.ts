/**
 * Writing pushed messages to many connections without holding the event loop, and without
 * letting a connection that stops reading grow the server's memory.
 *
 * WHY slices: one send to a user with thousands of open pages is thousands of socket writes;
 * done in one go, that turn of the event loop delays every request, timer and new connection
 * (Node accepts one connection per turn). So writes go out in slices — at most `slice` writes
 * or `sliceMs` per turn, the rest after `setImmediate` — from one queue for all feeds (first in,
 * first out, so each connection gets its messages in order). The time limit keeps turns short
 * on a slow or busy machine; the count limit keeps a slice small on a fast one.
 *
 * WHY several messages per write: a socket write is a system call, and on a busy server the
 * calls are most of the fan-out's cost. So a connection is never written one message at a time
 * when more are waiting: writing to it means writing everything its feed holds after what it was
 * last sent, in one write (a later message's job then finds it already served and skips it). The
 * writes start on the turn after a publish, not during it, so what is published in one turn goes
 * out together; under load, when a fan-out spans slices, later messages ride along with earlier
 * ones for the connections not yet reached.
 *
 * A new connection's catch-up (what it missed, then `ready`) goes ahead of queued messages: it
 * writes from the feed's buffer, which already holds them, and those queued writes then skip it
 * (their ids are not above what it was sent). So a page that connects during a long fan-out is
 * ready at once instead of after it.
 *
 * WHY "behind" connections catch up from the replay buffer: a connection whose unsent bytes pass
 * `slowBytes` is skipped instead of buffered without bound. It is not given a gap: it stays
 * behind until it drains, then gets what it missed from its feed's buffer, in order. One that
 * misses more than `slowMessages` or stays behind longer than `slowMs` is dropped (WebSocket
 * close code 4008); the page reconnects with its last id and the replay fills the gap. A newly
 * attached connection is behind too until its `ready`: it catches up first, then gets `ready`.
 */

export interface Numbered {
  id: number;
}

/** One open connection as the fan-out writes to it. */
export interface Outlet<M> {
  /** Writes `messages`, in order, with one write to the connection (the array is shared: read it only). */
  write(messages: readonly M[]): void;
  /** Bytes accepted but not yet handed to the kernel. */
  buffered(): number;
  /** Closes a connection that could not keep up; it reconnects and resumes. */
  drop(): void;
}

export interface FanOutLimits {
  /** Connection writes per event-loop turn, at most (one write carries every message a connection is owed). */
  slice: number;
  /** Milliseconds of writing per turn, at most (whichever limit comes first ends the slice). */
  sliceMs: number;
  /** Unsent bytes above which a connection is skipped (behind). */
  slowBytes: number;
  /** Messages a behind connection may miss before it is dropped. */
  slowMessages: number;
  /** How long a connection may stay behind before it is dropped. */
  slowMs: number;
}

export const DEFAULT_FANOUT_LIMITS: FanOutLimits = { slice: 1024, sliceMs: 8, slowBytes: 256 * 1024, slowMessages: 100, slowMs: 10_000 };

/** What a feed offers a subscriber that catches up. */
export interface FeedView<M> {
  /**
   * Messages after `id`, oldest first; null when the buffer no longer reaches back that far.
   * Connections in step ask for the same `id`, so the answer may be one shared array: read it only.
   */
  after(id: number): M[] | null;
  /** The id a client that has everything so far stands at. */
  cursor(): number;
  /** The message that ends a catch-up (`ready`), or a `resync` when the gap cannot be filled. */
  ready(cursor: number): M;
  resync(cursor: number): M;
}

export class Subscriber<M extends Numbered> {
  /** Every message up to this id has been written (or was never meant for this connection). */
  lastSent: number;
  /** Not in step: new messages wait in the feed's buffer until a catch-up. */
  behind = true;
  readyPending = true;
  behindSince: number | null = null;
  closed = false;

  constructor(
    readonly outlet: Outlet<M>,
    readonly feed: FeedView<M>,
    lastSent: number,
  ) {
    this.lastSent = lastSent;
  }
}

interface Job<M extends Numbered> {
  /** null: a catch-up of `targets[0]` (its `ready`). */
  message: M | null;
  targets: Subscriber<M>[];
  next: number;
}

export class FanOut<M extends Numbered> {
  private readonly queue: Job<M>[] = [];
  private budget: number;
  private turnScheduled = false;
  private readonly slow = new Set<Subscriber<M>>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Turns that wrote at least once, and connection writes (for metrics and tests). */
  slices = 0;
  writes = 0;
  private wroteThisTurn = false;

  constructor(
    private readonly limits: FanOutLimits = DEFAULT_FANOUT_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.budget = limits.slice;
  }

  /** Writes `message` to `targets` (a snapshot is taken), in slices. */
  send(message: M, targets: Iterable<Subscriber<M>>): void {
    const list = [...targets];
    if (list.length) this.enqueue({ message, targets: list, next: 0 });
  }

  /** Brings `sub` up to date from its feed and then sends it `ready`, in its turn in the queue. */
  catchUp(sub: Subscriber<M>): void {
    // Ahead of queued messages, behind earlier catch-ups (and the job being written now).
    let at = this.queue.length && this.queue[0]!.next > 0 ? 1 : 0;
    while (at < this.queue.length && this.queue[at]!.message === null) at++;
    this.queue.splice(at, 0, { message: null, targets: [sub], next: 0 });
    this.scheduleTurn();
  }

  /** Writes still queued, across all jobs. */
  pending(): number {
    let n = 0;
    for (const job of this.queue) n += job.targets.length - job.next;
    return n;
  }

  /** Connections currently behind because they were slow. */
  slowCount(): number {
    return this.slow.size;
  }

  close(): void {
    this.queue.length = 0;
    this.slow.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private enqueue(job: Job<M>): void {
    this.queue.push(job);
    this.scheduleTurn();
  }

  /**
   * Writing happens in `setImmediate` turns: the first after a publish (so what one turn
   * published goes out in the same writes), then one per slice. The budget is per turn.
   */
  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.budget = this.limits.slice;
      this.wroteThisTurn = false;
      if (this.queue.length) {
        this.scheduleTurn();
        this.pump();
      }
    });
  }

  private pump(): void {
    const until = this.now() + this.limits.sliceMs;
    let n = 0;
    while (this.budget > 0 && this.queue.length) {
      const job = this.queue[0]!;
      while (this.budget > 0 && job.next < job.targets.length) {
        const sub = job.targets[job.next++]!;
        if (job.message === null) this.bringUp(sub);
        else this.deliver(sub, job.message);
        // The clock is read every 32 writes: a write is a few microseconds.
        if (++n % 32 === 0 && this.now() > until) this.budget = 0;
      }
      if (job.next >= job.targets.length) this.queue.shift();
    }
  }

  private spend(): void {
    this.budget--;
    this.writes++;
    if (!this.wroteThisTurn) {
      this.wroteThisTurn = true;
      this.slices++;
    }
  }

  private deliver(sub: Subscriber<M>, message: M): void {
    // Already written along with an earlier message; or new, and catching up in its own job
    // (after what came before).
    if (sub.closed || message.id <= sub.lastSent || sub.readyPending) return;
    this.bringUp(sub);
  }

  /**
   * Writes everything `sub` is owed — `resync` if its cursor is not covered, what its feed holds
   * after `lastSent`, then `ready` if it still owes one — in one write, unless it is already past
   * `slowBytes` (then it is behind).
   */
  private bringUp(sub: Subscriber<M>): void {
    if (sub.closed) return;
    let missed = sub.feed.after(sub.lastSent);
    let resync: M | null = null;
    if (missed === null) {
      if (!sub.readyPending) return this.drop(sub); // the page reconnects and is told to resync
      // A catch-up that cannot be covered: `resync` at the newest id, then from there (nothing
      // after it yet) and `ready`, all in the one write.
      const cursor = sub.feed.cursor();
      resync = sub.feed.resync(cursor);
      sub.lastSent = cursor;
      missed = sub.feed.after(cursor) ?? [];
    }
    if (resync === null && missed.length && sub.outlet.buffered() > this.limits.slowBytes) return this.fallBehind(sub, missed.length);
    const last = missed.length ? missed[missed.length - 1]!.id : sub.lastSent;
    if (sub.readyPending) {
      const cursor = Math.max(last, sub.feed.cursor());
      const ready = sub.feed.ready(cursor);
      sub.outlet.write(resync === null ? [...missed, ready] : [resync, ...missed, ready]);
      sub.lastSent = cursor;
      sub.readyPending = false;
      this.spend();
    } else if (missed.length) {
      sub.outlet.write(missed);
      sub.lastSent = last;
      this.spend();
    }
    sub.behind = false;
    // Only a connection that fell behind is in `slow` (and has a time): the others skip the lookup.
    if (sub.behindSince !== null) {
      sub.behindSince = null;
      this.slow.delete(sub);
    }
  }

  private fallBehind(sub: Subscriber<M>, missed: number): void {
    sub.behind = true;
    sub.behindSince ??= this.now();
    this.slow.add(sub);
    if (missed > this.limits.slowMessages) this.drop(sub);
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(50, this.limits.slowMs / 10));
    this.sweeper.unref();
  }

  /** Behind connections that drained catch up; those past a limit are dropped. */
  private sweep(): void {
    for (const sub of this.slow) {
      if (sub.closed) {
        this.slow.delete(sub);
        continue;
      }
      const missed = sub.feed.after(sub.lastSent);
      if (missed === null || missed.length > this.limits.slowMessages || this.now() - sub.behindSince! > this.limits.slowMs) this.drop(sub);
      else if (sub.outlet.buffered() <= this.limits.slowBytes) this.catchUp(sub);
    }
    if (this.slow.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private drop(sub: Subscriber<M>): void {
    if (sub.closed) return;
    sub.closed = true;
    this.slow.delete(sub);
    sub.outlet.drop();
  }
}
