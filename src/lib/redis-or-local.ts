import { Breaker } from './breaker.ts';
import type { Logger } from './log.ts';

/** One warning per outage and then at most one per this interval: every call fails alike. */
const WARN_EVERY_MS = 10_000;

/**
 * Runs an operation on Redis, or — when Redis fails — its local stand-in, with one warning
 * per outage (and one line when Redis answers again). After a failure Redis is skipped for a
 * second (Breaker), so while it hangs calls do not each wait for the command timeout.
 */
export class RedisOrLocal {
  private failingSince: number | null = null;
  private warnedAt = 0;
  private readonly breaker: Breaker;

  /** `what` names the state in log lines; `fallback` says what happens instead. */
  constructor(
    private readonly what: string,
    private readonly fallback: string,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.breaker = new Breaker(`Redis (${what})`);
  }

  /** False from a failure until Redis answers again: what Redis said before may not hold. */
  get healthy(): boolean {
    return this.failingSince === null;
  }

  async run<T>(shared: () => Promise<T>, local: () => Promise<T> | T): Promise<T> {
    let result: T;
    try {
      result = await this.breaker.run(shared);
    } catch (err) {
      this.noteFailure(err);
      return local();
    }
    if (this.failingSince !== null) {
      this.log.info(`${this.what}: Redis answers again, shared state back in use`, { down_ms: Date.now() - this.failingSince });
      this.failingSince = null;
    }
    return result;
  }

  private noteFailure(err: unknown): void {
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.log.warn(`${this.what}: Redis unreachable, ${this.fallback}`, { error: (err as Error).message });
  }
}
