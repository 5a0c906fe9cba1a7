import type { Services } from '../services.ts';

const DAY = 86_400_000;
/** How often the purge runs after the one at start. */
const PURGE_EVERY = 3_600_000;

/**
 * Deletes notifications older than `retentionDays` (the portal keeps 60 days), and web sessions
 * past their expiry (they are refused already; this only reclaims the rows).
 */
export async function purgeExpired(services: Services): Promise<number> {
  const now = services.clock.now();
  await services.store.sessions.purgeExpired(now);
  return services.store.notifications.purgeOlderThan(now - services.config.retentionDays * DAY);
}

/** Runs the purge now and hourly; the timer never keeps the process alive. Returns a stop function. */
export function startRetentionJob(services: Services): () => void {
  const run = () => void purgeExpired(services).catch((err) => services.log.error('notification purge failed', { error: String(err) }));
  run();
  const timer = setInterval(run, PURGE_EVERY);
  timer.unref();
  return () => clearInterval(timer);
}
