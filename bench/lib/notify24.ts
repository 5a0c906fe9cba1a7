/** How the benchmark starts notify24 and what it asks of it. */
import type { Request } from './load.ts';

/**
 * How long after it listens notify24 has loaded the libraries it defers (logging, metrics,
 * WebSockets: 1 s), with a margin: CPU and memory measured from then on are the requests' and
 * connections' alone.
 */
export const LIBRARIES_SETTLE_MS = 1500;

export function serverArgs(): string[] {
  return ['bin/notify24.js', 'serve'];
}

/**
 * Port 0 (the child prints the one it got), no HTTPS (the load runs over plain HTTP), no rate
 * limit (it would measure the bucket, not the server) and no logging (a write per request).
 */
export function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    NOTIFY24_PORT: '0',
    NOTIFY24_HTTPS_PORT: 'off',
    NOTIFY24_HOST: '127.0.0.1',
    NOTIFY24_DATA_DIR: dataDir,
    NOTIFY24_DATABASE_URL: '',
    NOTIFY24_REDIS_URL: '',
    NOTIFY24_RATE_LIMIT: 'off',
    NOTIFY24_OPERATING_LIMIT: 'off',
    NOTIFY24_LOG_LEVEL: 'silent',
  };
}

/** `/rest/1/<code>/<method>.json` of the first-start webhook. */
export function restPath(code: string, method: string): string {
  return `/rest/1/${code}/${method}.json`;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function post(path: string, params: unknown): Request {
  return { method: 'POST', path, headers: JSON_HEADERS, body: JSON.stringify(params) };
}

/** A system notification to `userId`, the durable write every integration does. */
export function sendRequest(code: string, userId: number, message = 'Build #42 of [b]notify24[/b] finished: passed in 93 s'): Request {
  return post(restPath(code, 'im.notify.system.add'), { USER_ID: userId, MESSAGE: message });
}

/** The first page: the portal's 50 newest notifications. */
export function getRequest(code: string): Request {
  return post(restPath(code, 'im.notify.get'), { LIMIT: 50 });
}

/** A counter shared by the requests of a run (and its warm-up), so each id is used in turn. */
export class IdCursor {
  constructor(
    private next: number,
    private readonly step: number,
    private readonly low = 1,
    private readonly high = Number.MAX_SAFE_INTEGER,
  ) {}

  take(): number {
    const id = this.next;
    this.next += this.step;
    if (this.next > this.high) this.next = this.low;
    if (this.next < this.low) this.next = this.high;
    return id;
  }
}

/** Marks one stored notification read, walking over the seeded ids. */
export function readRequest(code: string, ids: IdCursor): Request {
  return {
    ...post(restPath(code, 'im.notify.read'), {}),
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ ID: ids.take(), ONLY_CURRENT: 'Y' }) }),
  };
}

/** Deletes one notification of the caller's by id (ids come from the cursor). */
export function deleteRequest(code: string, ids: IdCursor): Request {
  return {
    ...post(restPath(code, 'im.notify.delete'), {}),
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ ID: ids.take() }) }),
  };
}

/**
 * 70 % get / 25 % send / 5 % delete, as a cycle of 20 requests each connection walks through.
 * Deletes walk up from the first id after the seeded ones: the sends of the same run create
 * those rows, five for every delete and earlier in each connection's cycle, so each delete
 * removes a row that exists instead of measuring the cheaper "not found" path.
 */
export function mixedRequests(code: string, deletes: IdCursor): Request[] {
  const get = getRequest(code);
  const send = sendRequest(code, 1);
  const cycle: Request[] = [];
  for (let i = 0; i < 20; i++) cycle.push(i === 19 ? deleteRequest(code, deletes) : i % 4 === 1 ? send : get);
  return cycle;
}

/** One `batch` of 50 sends: an integration flushing a queue of notifications in one call. */
export function batchRequest(code: string, calls = 50): Request {
  const cmd: Record<string, string> = {};
  for (let i = 0; i < calls; i++) cmd[`n${i}`] = `im.notify.system.add?USER_ID=1&MESSAGE=${encodeURIComponent(`Queued message ${i}`)}`;
  return post(restPath(code, 'batch'), { halt: 0, cmd });
}
