import type { InvalidationBus } from '../lib/redis-invalidation-bus.ts';
import { operatingReport, WINDOW_MINUTES, type OperatingReport } from './operating-time.ts';

/** How long Redis's answer for a key is trusted without asking again: the staleness bound should a message be lost. */
const MAX_AGE_MS = 10_000;
/** Keys kept at most; past it the memory starts over (cheap, and bounds memory). */
const MAX_KEYS = 100_000;

/** What Redis answered for a key: the window's sum and oldest minute (null: no basket). */
interface Known {
  operating: number;
  oldestMinute: number | null;
  learntAt: number;
}

/**
 * The operating-time windows this node knows as Redis holds them, so a short call (almost
 * every call) is answered here without a Redis command. A short call changes nothing in Redis
 * but dropping baskets that left the window, so Redis's last answer holds until a slow call is
 * recorded for the key, or its oldest basket leaves the window (then Redis is asked again).
 * A node that records a slow call announces the key on `bus` (inside the same Redis script, so
 * no step can see the record without the announcement following it); every node then forgets
 * that key. While the bus is not listening nothing is trusted; answers also age out after
 * MAX_AGE_MS.
 *
 * WHY the mark: a step's answer and an announcement come on two connections, so the
 * announcement of a record made after the step may be handled before the step's answer. An
 * answer is remembered only when no announcement came in since its question was asked.
 */
export class KnownWindows {
  private known = new Map<string, Known>();
  private epoch = 0;

  constructor(private readonly bus: InvalidationBus) {
    bus.listen((key) => this.forget(key));
  }

  /** What Redis would answer for `key` at `nowMs` to a short call, when this node knows it; else null. */
  report(key: string, nowMs: number): OperatingReport | null {
    if (!this.bus.connected()) {
      this.forget('');
      return null;
    }
    const k = this.known.get(key);
    if (k === undefined) return null;
    const fresh = performance.now() - k.learntAt < MAX_AGE_MS;
    const inWindow = k.oldestMinute === null || k.oldestMinute > Math.floor(nowMs / 60_000) - WINDOW_MINUTES;
    if (fresh && inWindow) return operatingReport(k.operating, k.oldestMinute, nowMs);
    this.known.delete(key);
    return null;
  }

  /** Taken before asking Redis, and handed to `learn` with the answer. */
  mark(): number {
    return this.epoch;
  }

  /** Redis answered `key`'s window to a question asked at `mark`. */
  learn(key: string, mark: number, operating: number, oldestMinute: number | null): void {
    if (mark !== this.epoch || !this.bus.connected()) return;
    if (this.known.size >= MAX_KEYS) this.known = new Map();
    this.known.set(key, { operating, oldestMinute, learntAt: performance.now() });
  }

  /** Forgets `key` ('': every key) and refuses the answers to questions already asked. */
  forget(key: string): void {
    this.epoch++;
    if (key) this.known.delete(key);
    else this.known = new Map();
  }
}
