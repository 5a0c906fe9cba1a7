/**
 * Failed attempts per key: how many, and when the last one was. The login throttle decides
 * with these; they live in memory (one node) or in Redis (every node sees the same counts).
 */
export interface FailureCount {
  failures: number;
  /** Time of the last failure (ms). */
  lastAt: number;
}

export interface FailureCounts {
  /** The counts of `keys`, in order; a key without failures (or forgotten) counts 0. */
  get(keys: string[], nowMs: number): Promise<FailureCount[]>;
  /** One more failure for each key at `nowMs`; each key is forgotten `keepMs` after its last failure. */
  add(keys: string[], nowMs: number, keepMs: number): Promise<void>;
  clear(keys: string[]): Promise<void>;
  /** Forgets every count (a test portal's reset). */
  forget(): void;
}

const NONE: FailureCount = { failures: 0, lastAt: 0 };

/** In memory, bounded: past `maxKeys` entries the expired go, then those that failed least recently. */
export class MemoryFailureCounts implements FailureCounts {
  private readonly counts = new Map<string, FailureCount & { until: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  async get(keys: string[], nowMs: number): Promise<FailureCount[]> {
    return keys.map((key) => {
      const c = this.live(key, nowMs) ?? NONE;
      return { failures: c.failures, lastAt: c.lastAt };
    });
  }

  async add(keys: string[], nowMs: number, keepMs: number): Promise<void> {
    for (const key of keys) {
      const failures = (this.live(key, nowMs)?.failures ?? 0) + 1;
      // Re-inserted so the Map's order stays "least recently failed first" for the sweep.
      this.counts.delete(key);
      this.counts.set(key, { failures, lastAt: nowMs, until: nowMs + keepMs });
    }
    if (this.counts.size > this.maxKeys) this.sweep(nowMs);
  }

  async clear(keys: string[]): Promise<void> {
    for (const key of keys) this.counts.delete(key);
  }

  forget(): void {
    this.counts.clear();
  }

  get size(): number {
    return this.counts.size;
  }

  private live(key: string, nowMs: number): FailureCount | null {
    const c = this.counts.get(key);
    if (c && c.until <= nowMs) this.counts.delete(key);
    return c && c.until > nowMs ? c : null;
  }

  private sweep(nowMs: number): void {
    for (const key of [...this.counts.keys()]) this.live(key, nowMs);
    for (const key of this.counts.keys()) {
      if (this.counts.size <= this.maxKeys) break;
      this.counts.delete(key);
    }
  }
}
