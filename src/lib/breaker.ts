/** Thrown instead of calling a dependency that failed moments ago. */
export class BreakerOpen extends Error {
  constructor(what: string) {
    super(`${what} failed moments ago; not tried again yet`);
    this.name = 'BreakerOpen';
  }
}

/**
 * After a failure, calls fail at once for `cooldownMs`, then the next call tries again. A
 * dependency that hangs until a timeout (a frozen Redis) would otherwise cost every call that
 * timeout, and calls queued behind each other (one user's publishes) would add them up.
 */
export class Breaker {
  private openUntil = 0;

  constructor(
    private readonly what: string,
    private readonly cooldownMs = 1000,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (Date.now() < this.openUntil) throw new BreakerOpen(this.what);
    try {
      return await fn();
    } catch (err) {
      this.openUntil = Date.now() + this.cooldownMs;
      throw err;
    }
  }
}
