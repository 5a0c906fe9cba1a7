import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../http/app.ts';
import type { PushReplay } from './replay.ts';
import { cursorFrom, sameOrigin, type RequestUser } from './ws.ts';
import { wireJson } from './wire.ts';

export const SSE_PATH = '/events/stream';
const HEARTBEAT_MS = 25_000;

/** Opens an event stream on `res` and returns the function that writes one event. */
export function openEventStream(res: ServerResponse): (event: { id?: string; data: unknown }) => void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no', // nginx would otherwise hold events back
    Connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  const ping = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  ping.unref();
  res.on('close', () => clearInterval(ping));
  return ({ id, data }) => {
    res.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${typeof data === 'object' && data !== null ? wireJson(data) : JSON.stringify(data)}\n\n`);
  };
}

/**
 * The SSE fallback of the push channel: the same `{id, command, params}` messages as the
 * WebSocket, as `data:` lines with `id:`, so the browser's EventSource resumes by itself through
 * `Last-Event-ID` (`<id>@<node>`; `?last=&node=` works too, for the first connection of a page).
 */
export function sseRoute(replay: PushReplay, userOf: RequestUser): Route {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== SSE_PATH) return false;
    if (req.method !== 'GET') return refuse(res, 405);
    if (!sameOrigin(req)) return refuse(res, 403);
    const user = await userOf(req);
    if (!user) return refuse(res, 401);
    const header = req.headers['last-event-id'];
    const lastSeen = typeof header === 'string'
      ? cursorFrom(header)
      : cursorFrom(url.searchParams.get('last'), url.searchParams.get('node'));
    const write = openEventStream(res);
    const detach = replay.attach(user.id, lastSeen, (m) => write({ id: `${m.id}@${replay.node}`, data: m }));
    res.on('close', detach);
    return true;
  };
}

function refuse(res: ServerResponse, status: number): true {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${status}\n`);
  return true;
}
