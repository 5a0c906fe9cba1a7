/**
 * Real-time push to the people a change concerns. The notify domain publishes after each
 * commit; WebSocket/SSE connections subscribe per user. In one process the hub is an
 * in-memory fan-out; across nodes a Redis implementation carries the same messages.
 */
export interface PushMessage {
  /** e.g. `notifyAdd`, `notifyDelete`, `notifyRead`, `notifyUnread`, `notifyReadAll`, `counters`. */
  command: string;
  params: Record<string, unknown>;
}

export type PushListener = (message: PushMessage) => void;

export interface PushHub {
  publish(userId: number, message: PushMessage): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(userId: number, listener: PushListener): () => void;
  /**
   * Resolves once messages published for `userId` anywhere reach this node's subscribers
   * (a cross-node hub subscribes asynchronously); at once in a single process.
   */
  subscribed(userId: number): Promise<void>;
  /**
   * False when nothing anywhere listens for `userId` now (no open or recently open page of the
   * user, in a hub of one process): a change for them need not be published at all. Absent
   * where that cannot be known (a hub shared by several nodes).
   */
  reaches?(userId: number): boolean;
  /**
   * Where `reaches` cannot be known here (a hub shared by several nodes): asks, after the
   * change committed, whether anything anywhere listens for `userId` now. False means a publish
   * made instead would have reached nobody, so the change need not be counted, built or sent.
   * Rejects when it cannot tell (the shared bus unreachable): the caller then publishes as if
   * someone listened, and that publish fails and is logged.
   */
  heard?(userId: number): Promise<boolean>;
  close(): Promise<void>;
}

export class LocalPushHub implements PushHub {
  private readonly listeners = new Map<number, Set<PushListener>>();

  async publish(userId: number, message: PushMessage): Promise<void> {
    this.deliver(userId, message);
  }

  /** Hands a message to this process's subscribers (also used by cross-node hubs on receipt). */
  deliver(userId: number, message: PushMessage): void {
    for (const listener of this.listeners.get(userId) ?? []) listener(message);
  }

  subscribe(userId: number, listener: PushListener): () => void {
    let set = this.listeners.get(userId);
    if (!set) {
      set = new Set();
      this.listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(userId);
    };
  }

  async subscribed(_userId: number): Promise<void> {}

  reaches(userId: number): boolean {
    return this.listeners.has(userId);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
