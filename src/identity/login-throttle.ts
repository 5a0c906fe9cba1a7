import type { FailureCount, FailureCounts } from './failure-counts.ts';

/** How failures of one kind of key turn into waits. */
interface DelayRule {
  /** Failures allowed without any wait. */
  free: number;
  /** Wait after the first failure past `free`; each further one doubles it... */
  firstMs: number;
  /** ...up to this. */
  maxMs: number;
}

/**
 * Per login and client address: a few free attempts, then waits of 1 s, 2 s, 4 s... up to 15
 * minutes. Guessing one account's password from one address is slowed to a crawl, and only
 * that pair is: the owner signing in from elsewhere is never affected.
 */
const PAIR: DelayRule = { free: 5, firstMs: 1000, maxMs: 15 * 60_000 };
/**
 * Per client address over every login (one password tried on many accounts): a high free
 * allowance and short waits, because behind a proxy without NOTIFY24_TRUST_PROXY every user
 * shares one address; an attacker there can slow sign-ins down, never lock them out.
 */
const ADDRESS: DelayRule = { free: 50, firstMs: 1000, maxMs: 30_000 };
/** A key's failures are forgotten this long after its last one. */
const KEEP_MS = 60 * 60_000;

function waitAfter(c: FailureCount, rule: DelayRule, nowMs: number): number {
  if (c.failures <= rule.free) return 0;
  const delay = Math.min(rule.maxMs, rule.firstMs * 2 ** Math.min(30, c.failures - rule.free - 1));
  return Math.max(0, c.lastAt + delay - nowMs);
}

/**
 * The sign-in throttle: growing waits instead of lock-outs. An attempt made during a wait is
 * refused (429 TOO_MANY_ATTEMPTS) before the password is checked; a successful sign-in clears
 * that login's count for the address. The counts live where `counts` keeps them (memory on one
 * node, Redis shared by every node).
 */
export class LoginThrottle {
  constructor(private readonly counts: FailureCounts) {}

  private keys(ip: string, login: string): [string, string] {
    return [`pair:${ip}\n${login.toLowerCase()}`, `ip:${ip}`];
  }

  /** Milliseconds this attempt must still wait; 0 when it may go on. */
  async wait(ip: string, login: string, nowMs: number): Promise<number> {
    const [pair, address] = await this.counts.get(this.keys(ip, login), nowMs);
    return Math.max(waitAfter(pair!, PAIR, nowMs), waitAfter(address!, ADDRESS, nowMs));
  }

  async fail(ip: string, login: string, nowMs: number): Promise<void> {
    await this.counts.add(this.keys(ip, login), nowMs, KEEP_MS);
  }

  /** Only the pair is cleared: one right password must not wipe an address's spraying record. */
  async succeed(ip: string, login: string): Promise<void> {
    await this.counts.clear([this.keys(ip, login)[0]]);
  }

  forget(): void {
    this.counts.forget();
  }
}
