/**
 * Operating time: a method's execution time summed per caller and method in ten one-minute
 * baskets. Above the limit the next call of that method is refused (OPERATION_TIME_LIMIT);
 * the figures are reported in every `time` block either way.
 */
export interface OperatingReport {
  /** Seconds accumulated in the window. */
  operating: number;
  /** Unix seconds when the oldest basket leaves the window. */
  resetAt: number;
}

export interface OperatingTime {
  /** True when the caller may still run this method. In-memory accounting answers at once (no promise). */
  allowed(key: string, nowMs: number): boolean | Promise<boolean>;
  record(key: string, seconds: number, nowMs: number): OperatingReport | Promise<OperatingReport>;
  /** Empties every window (a test portal's reset). */
  forget(): void;
}

export const WINDOW_MINUTES = 10;
/** Calls at or under 0.1 s are not recorded (the portal ignores them too). */
export const MIN_RECORDED_SECONDS = 0.1;

/** The report of a window holding `operating` seconds whose oldest basket is `oldestMinute` (null: none). */
export function operatingReport(operating: number, oldestMinute: number | null, nowMs: number): OperatingReport {
  const resetAt = oldestMinute === null ? Math.floor(nowMs / 1000) + WINDOW_MINUTES * 60 : (oldestMinute + WINDOW_MINUTES) * 60;
  return { operating: Math.round(operating * 10_000) / 10_000, resetAt };
}

/** Keys kept before quiet ones are swept. */
const SWEEP_THRESHOLD = 10_000;

export class MemoryOperatingTime implements OperatingTime {
  private readonly baskets = new Map<string, Map<number, number>>();
  private sweepAt = SWEEP_THRESHOLD;
  /** @param limitSeconds window limit; null reports figures but never refuses. */
  constructor(private readonly limitSeconds: number | null) {}

  private window(key: string, nowMs: number): Map<number, number> {
    const minute = Math.floor(nowMs / 60_000);
    let baskets = this.baskets.get(key);
    if (!baskets) {
      baskets = new Map();
      this.baskets.set(key, baskets);
    }
    for (const m of baskets.keys()) if (m <= minute - WINDOW_MINUTES) baskets.delete(m);
    return baskets;
  }

  private report(baskets: Map<number, number>, nowMs: number): OperatingReport {
    let operating = 0;
    let oldest = Infinity;
    for (const [minute, secs] of baskets) {
      operating += secs;
      oldest = Math.min(oldest, minute);
    }
    return operatingReport(operating, oldest === Infinity ? null : oldest, nowMs);
  }

  /** The window sum must exceed the limit to block: the call that crosses it still ran. */
  allowed(key: string, nowMs: number): boolean {
    if (this.limitSeconds === null) return true;
    const baskets = this.baskets.get(key);
    if (!baskets) return true;
    return this.report(this.window(key, nowMs), nowMs).operating <= this.limitSeconds;
  }

  record(key: string, seconds: number, nowMs: number): OperatingReport {
    // A short call of a caller with nothing on record leaves nothing: no window to make and drop.
    if (seconds <= MIN_RECORDED_SECONDS && !this.baskets.has(key)) return operatingReport(0, null, nowMs);
    const baskets = this.window(key, nowMs);
    if (seconds > MIN_RECORDED_SECONDS) {
      const minute = Math.floor(nowMs / 60_000);
      baskets.set(minute, (baskets.get(minute) ?? 0) + seconds);
    }
    const report = this.report(baskets, nowMs);
    if (baskets.size === 0) this.baskets.delete(key);
    if (this.baskets.size > this.sweepAt) this.sweep(nowMs);
    return report;
  }

  forget(): void {
    this.baskets.clear();
  }

  /** Drop keys whose baskets all left the window (callers that went quiet). */
  private sweep(nowMs: number): void {
    for (const key of [...this.baskets.keys()]) {
      if (this.window(key, nowMs).size === 0) this.baskets.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_THRESHOLD, this.baskets.size * 2);
  }
}
