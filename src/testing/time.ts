import type { Scheduler } from '../jobs/scheduler.ts';
import type { AdjustableClock } from '../lib/clock.ts';

export interface TimeControlDeps {
  /** Null on a server not started for testing: time control is refused there. */
  timeControl: AdjustableClock | null;
  jobs: Pick<Scheduler, 'runAllNow'>;
}

/** Where a test server's clock stands. */
export interface ClockState {
  /** Unix ms on the server's clock. */
  now: number;
  /** How far it was moved ahead of real time. */
  offsetMs: number;
}

export const clockState = (clock: AdjustableClock): ClockState => ({ now: clock.now(), offsetMs: clock.offset });

/**
 * Moves a test server's clock forward by `ms` and runs the background jobs once, so what
 * depends on time (token and code expiry, retention, sessions, rate-limit buckets, delayed
 * deliveries) is in its new state when this resolves. Returns false on any other server.
 */
export async function advanceTime(deps: TimeControlDeps, ms: number): Promise<ClockState | null> {
  if (!deps.timeControl) return null;
  deps.timeControl.advance(ms);
  await deps.jobs.runAllNow();
  return clockState(deps.timeControl);
}
