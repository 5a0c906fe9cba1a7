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

/**
 * The local offset of the quarter hour `ms` falls in, as minutes and as the `+01:00` suffix.
 * Asking the time zone (getTimezoneOffset) is the slow part of formatting a date, and offsets
 * only change at transitions, which fall on UTC quarter hours in every zone's rules since
 * 1980 (local times on the quarter hour, offsets in quarter hours).
 */
let offsetQuarter = Number.NaN;
let offsetMin = 0;
let offsetText = '+00:00';

const QUARTER_MS = 900_000;

function formatIso(ms: number): string {
  const quarter = Math.floor(ms / QUARTER_MS);
  if (quarter !== offsetQuarter) {
    offsetQuarter = quarter;
    offsetMin = -new Date(ms).getTimezoneOffset();
    const abs = Math.abs(offsetMin);
    offsetText = `${offsetMin >= 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
  const local = ms + offsetMin * 60_000;
  // The date part changes once a day: the time of day is plain arithmetic.
  const day = Math.floor(local / DAY_MS);
  if (day !== dateDay) {
    dateDay = day;
    dateText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const seconds = Math.floor((local - day * DAY_MS) / 1000);
  return `${dateText}${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}${offsetText}`;
}

const DAY_MS = 86_400_000;
/** The local day (days since 1970) whose `YYYY-MM-DDT` is in dateText. */
let dateDay = Number.NaN;
let dateText = '';
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
