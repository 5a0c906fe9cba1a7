import type { ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import type { Route } from './app.ts';

/** A check slower than this counts as down: a load balancer must not wait on a hung database. */
const CHECK_TIMEOUT_MS = 2000;

type State = 'up' | 'down' | 'disabled';

function send(res: ServerResponse, status: number, body: Record<string, unknown>, head: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : text);
}

async function check(name: string, probe: () => Promise<void>, services: Services): Promise<State> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'up';
  } catch (err) {
    // The reason goes to the log, not to the (possibly public) probe answer.
    services.log.warn(`readiness: ${name} is down: ${(err as Error).message}`);
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
export function healthRoute(services: Services): Route {
  return async (req, res, url) => {
    if (url.pathname !== '/healthz' && url.pathname !== '/readyz') return false;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
      res.end();
      return true;
    }
    if (url.pathname === '/healthz') {
      send(res, 200, { status: 'ok' }, head);
      return true;
    }
    const redis = services.redis;
    const [database, redisState] = await Promise.all([
      check('database', () => services.store.ping(), services),
      redis ? check('redis', () => redis.ping(), services) : Promise.resolve<State>('disabled'),
    ]);
    const ready = database === 'up' && redisState !== 'down';
    send(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', database, redis: redisState }, head);
    return true;
  };
}
