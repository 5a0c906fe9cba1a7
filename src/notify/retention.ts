import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';

const DAY = 86_400_000;

export interface RetentionDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'retentionDays'>;
}

/** The oldest moment still kept: `retentionDays` before now (the portal keeps 60 days). */
export function retentionCutoff(deps: RetentionDeps): number {
  return deps.clock.now() - deps.config.retentionDays * DAY;
}

/** Deletes notifications older than the retention period; answers how many went (the retention job runs it). */
export function purgeExpired(deps: RetentionDeps): Promise<number> {
  return deps.store.notifications.purgeOlderThan(retentionCutoff(deps));
}
