import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Cursor, PushReplay } from './replay.ts';
import { wireJson } from './wire.ts';

/** Who an upgrade request belongs to (the web session); null refuses it. */
export type RequestUser = (req: IncomingMessage) => Promise<{ id: number } | null>;

export const WS_PATH = '/ws';
const HEARTBEAT_MS = 25_000;

/**
 * `?last=<id>&node=<node>` (or the SSE `Last-Event-ID` header, `<id>@<node>`): where a
 * reconnecting client stopped.
 */
export function cursorFrom(last: string | null | undefined, node: string | null = null): Cursor | null {
  const m = /^(\d{1,16})(?:@([0-9a-f]{1,32}))?$/.exec(last ?? '');
  return m ? { id: Number(m[1]), node: m[2] ?? (node && /^[0-9a-f]{1,32}$/.test(node) ? node : null) } : null;
}

/**
 * A page may only open the channel from our own origin: the session cookie would otherwise be
 * sent by any site the user visits (cross-site WebSocket hijacking).
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // non-browser clients send none; the cookie still has to be valid
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The per-user WebSocket channel on the listeners' `upgrade` event. Each frame is one JSON
 * `{id, command, params}`; a ping every 25 s keeps proxies from closing idle connections and
 * drops connections whose peer vanished.
 */
export class WsChannel {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly replay: PushReplay,
    private readonly userOf: RequestUser,
  ) {
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
    let user: { id: number } | null = null;
    try {
      user = await this.userOf(req);
    } catch {
      user = null;
    }
    if (!user) return refuse(socket, 401, 'Unauthorized');
    const userId = user.id;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, userId, cursorFrom(url.searchParams.get('last'), url.searchParams.get('node'))));
  }

  private serve(ws: WebSocket, userId: number, lastSeen: Cursor | null): void {
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    const detach = this.replay.attach(userId, lastSeen, (m) => {
      if (ws.readyState === ws.OPEN) ws.send(wireJson(m));
    });
    ws.on('close', detach);
    ws.on('error', () => ws.terminate());
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.get(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
