/** Time source, injectable so tests can move time (token expiry, retention, limits). */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Real time moved forward by hand: a server started for testing runs on one, so a test can
 * jump past token expiry or retention while everything else keeps ticking normally.
 */
export class AdjustableClock implements Clock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves this clock (never backwards: stored times must not end up in the future). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`time moves forward only: ${ms}`);
    this.offsetMs += ms;
  }
  /** How far it has been moved, ms. */
  get offset(): number {
    return this.offsetMs;
  }
  /** Back to real time (a reset portal starts over). */
  rewind(): void {
    this.offsetMs = 0;
  }
}

/** `2026-03-03T09:00:00+00:00`: PHP's `date('c')`, in the server's local offset. */
export function isoDate(ms: number): string {
  // Every answer prints several dates of the same second: compute each second once.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = formatIso(ms);
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';

function formatIso(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
