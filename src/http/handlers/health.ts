import type { Logger } from '../../lib/log.ts';
import type { RedisConnections } from '../../lib/redis.ts';
import type { Store } from '../../store/port/store.ts';
import { json, type Reply } from '../reply.ts';

/** A check slower than this counts as down: a load balancer must not wait on a hung database. */
const CHECK_TIMEOUT_MS = 2000;

type State = 'up' | 'down' | 'disabled';

export interface HealthDeps {
  store: Pick<Store, 'ping'>;
  redis: Pick<RedisConnections, 'ping'> | null;
  log: Pick<Logger, 'warn'>;
}

async function check(name: string, probe: () => Promise<void>, log: HealthDeps['log']): Promise<State> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'up';
  } catch (err) {
    // The reason goes to the log, not to the (possibly public) probe answer.
    log.warn(`readiness: ${name} is down: ${(err as Error).message}`);
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz`: liveness, 200 while the process serves HTTP (restart it otherwise).
 * `GET /readyz`: readiness, 200 when the database and (if configured) Redis answer, else 503 so
 * the load balancer stops sending traffic to this node until they are back.
 */
export function healthHandlers(deps: HealthDeps) {
  return {
    live: (): Reply => json({ status: 'ok' }),
    async ready(): Promise<Reply> {
      const { redis } = deps;
      const [database, redisState] = await Promise.all([
        check('database', () => deps.store.ping(), deps.log),
        redis ? check('redis', () => redis.ping(), deps.log) : Promise.resolve<State>('disabled'),
      ]);
      const ready = database === 'up' && redisState !== 'down';
      return json({ status: ready ? 'ok' : 'unavailable', database, redis: redisState }, ready ? 200 : 503);
    },
  };
}
