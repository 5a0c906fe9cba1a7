import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { toRestError } from '../errors/rest.ts';
import type { Logger } from '../lib/log.ts';
import { empty, jsonError, Reply, text, writeReply, json } from './reply.ts';
import { requestInfo, type HttpRequest } from './request.ts';
import { Router, type Route } from './router.ts';

/** One answered request, as the access log and request metrics will want it. */
export interface RequestDone {
  method: string;
  /** The matched route pattern (`/rest*`, `/console/api/users`), null when none matched. */
  route: string | null;
  status: number;
  ms: number;
  secure: boolean;
}

export interface DispatchDeps {
  log: Pick<Logger, 'error'>;
  trustProxy: boolean;
  /** Told about every answered request (streams: once their head is written). */
  onDone?: (done: RequestDone) => void;
}

function asReply(value: unknown): Reply {
  return value instanceof Reply ? value : json(value ?? null);
}

/** Answers a refused upgrade on the raw socket (no HTTP response object exists there). */
export function refuseUpgrade(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Where every HTTP request starts and ends, for both listeners: the route table picks the
 * handler (404 for an unknown path, 405 with `Allow` for a known path and another method),
 * the handler's reply or thrown error is written once. Nothing here ever redirects on its own
 * (SDKs read a 3xx as "the portal moved").
 */
export function createDispatcher(table: Route[], deps: DispatchDeps) {
  const router = new Router(table);

  async function answer(req: IncomingMessage, secure: boolean): Promise<{ reply: Reply; route: string | null }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const match = router.find(method, url.pathname);
    if (match.kind !== 'handler') {
      req.resume();
      return { reply: match.kind === 'none' ? text(404, 'Not found\n') : empty(405, { Allow: match.allow.join(', ') }), route: null };
    }
    const { ip, origin } = requestInfo(req, secure, deps.trustProxy);
    const request: HttpRequest = { method, url, params: match.params, headers: req.headers, secure, ip, origin, raw: req };
    try {
      return { reply: asReply(await match.handler(request)), route: match.pattern };
    } catch (err) {
      return { reply: jsonError(toRestError(err, deps.log)), route: match.pattern };
    }
  }

  return {
    async request(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
      const began = performance.now();
      let done: { reply: Reply; route: string | null };
      try {
        done = await answer(req, secure);
      } catch (err) {
        done = { reply: jsonError(toRestError(err, deps.log)), route: null };
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      writeReply(res, done.reply, req.method === 'HEAD');
      deps.onDone?.({ method: req.method ?? 'GET', route: done.route, status: res.statusCode, ms: performance.now() - began, secure });
    },

    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => socket.destroy());
      const url = new URL(req.url ?? '/', 'http://localhost');
      const handler = router.findUpgrade(url.pathname);
      if (!handler) return refuseUpgrade(socket, 404);
      Promise.resolve()
        .then(() => handler(req, socket, head, url))
        .catch((err) => {
          deps.log.error('upgrade failed', { err });
          refuseUpgrade(socket, 500);
        });
    },
  };
}
