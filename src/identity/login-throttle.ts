/**
 * Failed sign-ins are counted per client address and per login in a sliding window; past the
 * limit further attempts are refused before the password is even checked, so guessing is slow
 * whether an attacker tries many passwords for one login or one password for many logins.
 * Kept in memory: each node throttles on its own (see docs/web.md).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly maxKeys = 100_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  blocked(keys: string[], now: number): boolean {
    return keys.some((key) => this.recent(key, now).length >= this.maxFailures);
  }

  fail(keys: string[], now: number): void {
    for (const key of keys) {
      const kept = this.recent(key, now);
      // Re-inserted so the Map's order stays "least recently failed first" for the sweep.
      this.failures.delete(key);
      this.failures.set(key, [...kept, now]);
    }
    if (this.failures.size > this.maxKeys) this.sweep(now);
  }

  /**
   * Random logins would otherwise grow the map without end: past `maxKeys` entries the expired
   * ones go, and if that is not enough those that failed least recently.
   */
  private sweep(now: number): void {
    for (const key of [...this.failures.keys()]) this.recent(key, now);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }

  get size(): number {
    return this.failures.size;
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
