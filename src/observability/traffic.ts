import type { Clock } from '../lib/clock.ts';

/** How far back the window reaches. */
export const WINDOW_SECONDS = 15 * 60;

/** Upper bounds (ms) of the latency buckets percentiles are read from; one more bucket above. */
const BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

interface Slot {
  /** Unix second this slot holds, or -1 when empty. */
  second: number;
  requests: number;
  errors: number;
  byCode: Map<string, number>;
  latency: Uint32Array;
  maxMs: number;
}

/** One second of the window. */
export interface TrafficPoint {
  /** Unix seconds. */
  at: number;
  requests: number;
  errors: number;
  /** Null when the second had no request. */
  p99Ms: number | null;
}

export interface TrafficSummary {
  seconds: number;
  requests: number;
  perSecond: number;
  errors: number;
  /** Error code (or HTTP status when the answer had none) → count, most frequent first. */
  errorsByCode: Record<string, number>;
  /** Estimated from buckets (1, 2, 5, 10, 20 … 10,000 ms); null without requests. */
  p50Ms: number | null;
  p99Ms: number | null;
}

const emptySlot = (): Slot => ({ second: -1, requests: 0, errors: 0, byCode: new Map(), latency: new Uint32Array(BOUNDS_MS.length + 1), maxMs: 0 });

function bucketOf(ms: number): number {
  let i = 0;
  while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]!) i++;
  return i;
}

/** The `q` quantile of bucketed latencies, interpolated inside its bucket. */
function quantile(latency: Uint32Array, total: number, maxMs: number, q: number): number | null {
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    const n = latency[i]!;
    if (n === 0 || seen + n < rank) {
      seen += n;
      continue;
    }
    const low = i === 0 ? 0 : BOUNDS_MS[i - 1]!;
    const high = Math.min(i < BOUNDS_MS.length ? BOUNDS_MS[i]! : maxMs, maxMs);
    return Math.round((low + (Math.max(high, low) - low) * ((rank - seen) / n)) * 100) / 100;
  }
  return maxMs;
}

/**
 * REST traffic of the last 15 minutes, second by second, for in-process readers (the console's
 * live panel) that want rates, errors and percentiles without parsing the Prometheus text.
 * One slot per second in a ring; recording is O(1), reading a 15-minute summary walks 900 slots.
 */
export class TrafficWindow {
  private readonly slots: Slot[] = Array.from({ length: WINDOW_SECONDS }, emptySlot);

  constructor(private readonly clock: Clock) {}

  /** One answered call: its status, time taken and the error code it answered with, if any. */
  record(status: number, ms: number, errorCode: string | null): void {
    const slot = this.slotFor(Math.floor(this.clock.now() / 1000));
    slot.requests++;
    slot.latency[bucketOf(ms)]!++;
    if (ms > slot.maxMs) slot.maxMs = ms;
    if (status >= 400 || errorCode) {
      slot.errors++;
      const key = errorCode ?? String(status);
      slot.byCode.set(key, (slot.byCode.get(key) ?? 0) + 1);
    }
  }

  /** Totals over the last `seconds` (at most 15 minutes), this second included. */
  summary(seconds: number = WINDOW_SECONDS): TrafficSummary {
    const span = this.span(seconds);
    const latency = new Uint32Array(BOUNDS_MS.length + 1);
    const byCode = new Map<string, number>();
    let requests = 0;
    let errors = 0;
    let maxMs = 0;
    for (const slot of this.live(span)) {
      requests += slot.requests;
      errors += slot.errors;
      maxMs = Math.max(maxMs, slot.maxMs);
      slot.latency.forEach((n, i) => (latency[i]! += n));
      for (const [code, n] of slot.byCode) byCode.set(code, (byCode.get(code) ?? 0) + n);
    }
    return {
      seconds: span,
      requests,
      perSecond: Math.round((requests / span) * 100) / 100,
      errors,
      errorsByCode: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])),
      p50Ms: quantile(latency, requests, maxMs, 0.5),
      p99Ms: quantile(latency, requests, maxMs, 0.99),
    };
  }

  /** One point per second of the last `seconds`, oldest first, quiet seconds as zeros. */
  series(seconds: number = WINDOW_SECONDS): TrafficPoint[] {
    const span = this.span(seconds);
    const now = Math.floor(this.clock.now() / 1000);
    const points: TrafficPoint[] = [];
    for (let at = now - span + 1; at <= now; at++) {
      const slot = this.slots[at % WINDOW_SECONDS]!;
      points.push(slot.second === at
        ? { at, requests: slot.requests, errors: slot.errors, p99Ms: quantile(slot.latency, slot.requests, slot.maxMs, 0.99) }
        : { at, requests: 0, errors: 0, p99Ms: null });
    }
    return points;
  }

  private span(seconds: number): number {
    return Math.max(1, Math.min(WINDOW_SECONDS, Math.floor(seconds)));
  }

  /** The slots of the last `span` seconds that hold data. */
  private *live(span: number): Generator<Slot> {
    const now = Math.floor(this.clock.now() / 1000);
    for (const slot of this.slots) if (slot.second > now - span && slot.second <= now) yield slot;
  }

  private slotFor(second: number): Slot {
    const slot = this.slots[second % WINDOW_SECONDS]!;
    if (slot.second !== second) {
      slot.second = second;
      slot.requests = 0;
      slot.errors = 0;
      slot.byCode.clear();
      slot.latency.fill(0);
      slot.maxMs = 0;
    }
    return slot;
  }
}
