import type { Server } from 'node:http';
import type { Route } from '../http/app.ts';
import { PushReplay } from '../realtime/replay.ts';
import { sseRoute } from '../realtime/sse.ts';
import { WsChannel } from '../realtime/ws.ts';
import type { Services } from '../services.ts';
import { consoleApi, type SessionReader } from './console-api.ts';
import { installInspector, RequestInspector } from './inspector.ts';
import { isStaticPath, sendStatic } from './static-files.ts';

export interface WebPart {
  /** Pages, console API and SSE, for the routes array of server.ts. */
  routes: Route[];
  /** Adds the WebSocket channel to a listener's `upgrade` event. */
  attach(server: Server): void;
  close(): Promise<void>;
}

/** The notification center, the console, and the push channel they listen to. */
export function createWeb(services: Services, sessionOf: SessionReader): WebPart {
  const replay = new PushReplay(services.hub, services.clock);
  const inspector = new RequestInspector();
  installInspector(services, inspector);
  const userOf = async (req: Parameters<SessionReader>[0]) => {
    const session = await sessionOf(req);
    return session ? { id: session.userId } : null;
  };
  const ws = new WsChannel(replay, userOf);
  const pages: Route = async (req, res, url) => {
    if (req.method !== 'GET' || !isStaticPath(url.pathname)) return false;
    return sendStatic(res, url.pathname);
  };
  return {
    routes: [pages, sseRoute(replay, userOf), consoleApi(services, sessionOf, inspector)],
    attach: (server) => ws.attach(server),
    async close() {
      await ws.close();
      replay.close();
    },
  };
}
