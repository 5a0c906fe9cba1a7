import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as Ws from 'ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { refuseUpgrade } from '../http/dispatch.ts';
import type { ServerMetrics } from '../observability/metrics.ts';
import type { Outlet } from './fanout.ts';
import type { ChannelMessage, Cursor, PushReplay } from './replay.ts';
import { lazyRequire } from '../lib/lazy-require.ts';
import { settledWithin } from '../lib/maybe.ts';
import { writeToSocket } from './socket-write.ts';
import { batchEncoder, SentTally, wireJson } from './wire.ts';

/** Loaded at the first WebSocket (or by `preloadWebSockets`, soon after the server listens). */
const wsLibrary = lazyRequire<typeof Ws>('ws');

/** Loads the WebSocket library now, so the first page that connects does not wait for it. */
export function preloadWebSockets(): void {
  wsLibrary();
}

const HEARTBEAT_MS = 25_000;
/**
 * Connections the heartbeat handles per event-loop turn, at most: a ping costs ~10 µs, so
 * 10,000 connections in one go would hold the loop for ~100 ms (see `beat`).
 */
export const PINGS_PER_TURN = 256;
/** A ping frame with no payload: the same two bytes for every connection. */
const PING = Buffer.from([0x89, 0x00]);
/** Close code 1001 "going away": the client reconnects, to another node if this one is gone. */
const GOING_AWAY = 1001;
/**
 * Close code 4008 "too slow": the client stopped reading while messages piled up (see
 * fanout.ts); it reconnects with its last id and the replay gives it what it missed.
 */
export const TOO_SLOW = 4008;
const TRANSPORT = { transport: 'websocket' };
/** `WebSocket.OPEN`, read once instead of through a getter on every write. */
const OPEN = 1;

/**
 * `?last=<id>&node=<node>` (or the SSE `Last-Event-ID` header, `<id>@<node>`): where a
 * reconnecting client stopped.
 */
export function cursorFrom(last: string | null | undefined, node: string | null = null): Cursor | null {
  const m = /^(\d{1,16})(?:@([0-9a-f]{1,32}))?$/.exec(last ?? '');
  return m ? { id: Number(m[1]), node: m[2] ?? (node && /^[0-9a-f]{1,32}$/.test(node) ? node : null) } : null;
}

/**
 * One WebSocket text frame as a server sends it (final, unmasked: RFC 6455 §5.2): the header
 * and `payload`, in one buffer. It is the same bytes for every connection, so a fan-out frames
 * a message once.
 */
export function textFrame(payload: string): Buffer {
  const size = Buffer.byteLength(payload);
  const head = size < 126 ? 2 : size < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + size);
  frame[0] = 0x81; // FIN + text
  if (size < 126) frame[1] = size;
  else if (size < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(size, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(size), 2);
  }
  frame.write(payload, head);
  return frame;
}

/** The bytes of the messages a connection is owed: their frames, made once for every connection. */
const framesOf = batchEncoder<ChannelMessage>('ws', (message) => textFrame(wireJson(message)));

type ChannelMetrics = Pick<ServerMetrics, 'pushConnections' | 'pushSent' | 'pushSlowDropped'>;

/**
 * One open connection as the fan-out writes to it, and its heartbeat state. WHY a class: there
 * is one per idle page, so its methods are shared on the prototype instead of closures made for
 * each connection.
 */
class WsOutlet implements Outlet<ChannelMessage> {
  /** Answered the last ping (or was just opened). */
  alive = true;
  detach: () => void = () => undefined;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Duplex,
    private readonly metrics: ChannelMetrics,
    private readonly sent: SentTally<'transport'>,
  ) {}

  write(messages: readonly ChannelMessage[]): void {
    if (this.ws.readyState !== OPEN) return;
    writeToSocket(this.socket, framesOf(messages));
    this.sent.add(messages.length);
  }

  buffered(): number {
    return this.socket.writableLength;
  }

  drop(): void {
    this.metrics.pushSlowDropped.inc(TRANSPORT);
    this.ws.close(TOO_SLOW, 'too slow: reconnect to resume');
  }
}

/** A connection's error listener, one for all: the connection is dropped. */
function terminateOnError(this: WebSocket): void {
  this.terminate();
}

/**
 * The per-user WebSocket channel (the route handler checks who may open it). Each frame is one
 * JSON `{id, command, params}`; a ping every 25 s keeps proxies from closing idle connections
 * and drops connections whose peer vanished.
 */
export class WsChannel {
  /**
   * Made at the first connection (a server no page connects to never loads ws). No compression:
   * pushed frames are written as prepared bytes (below), and ws sends nothing else but pings and
   * closes.
   */
  private wss: WebSocketServer | null = null;
  /** Set where ws stops taking upgrades (its server closing): from then on every one is refused. */
  private closed = false;
  /** Each open connection's outlet, which holds the socket pushed frames and pings are written to. */
  private readonly outlets = new Map<WebSocket, WsOutlet>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Listeners shared by every connection (ws calls them with the connection as `this`). */
  private readonly onPong: (this: WebSocket) => void;
  private readonly onClose: (this: WebSocket) => void;
  private readonly sent: SentTally<'transport'>;

  constructor(
    private readonly replay: PushReplay,
    private readonly metrics: ChannelMetrics,
  ) {
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.sent = new SentTally(metrics.pushSent, TRANSPORT);
    const outlets = this.outlets;
    this.onPong = function (this: WebSocket) {
      const outlet = outlets.get(this);
      if (outlet) outlet.alive = true;
    };
    this.onClose = function (this: WebSocket) {
      const outlet = outlets.get(this);
      if (!outlet) return;
      outlets.delete(this);
      outlet.detach();
      metrics.pushConnections.dec(TRANSPORT);
    };
  }

  /** Completes the handshake of an upgrade request and serves `userId`'s channel on it. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, userId: number, lastSeen: Cursor | null): void {
    if (this.closed) return refuseUpgrade(socket, 503);
    this.wss ??= new (wsLibrary().WebSocketServer)({ noServer: true, perMessageDeflate: false });
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, socket, userId, lastSeen));
  }

  /**
   * Closes every connection with 1001 (going away) so clients reconnect elsewhere; those whose
   * peer does not answer the close within `graceMs` are dropped.
   */
  async close(graceMs = 0): Promise<void> {
    clearInterval(this.heartbeat);
    const wss = this.wss;
    if (wss) {
      const open = [...wss.clients];
      const gone = open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      for (const ws of open) ws.close(GOING_AWAY, 'server shutting down');
      await settledWithin(Promise.all(gone), graceMs);
      for (const ws of wss.clients) ws.terminate();
    }
    this.closed = true;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /**
   * WHY pushed frames go to the socket directly, not through `ws.send`: every connection in step
   * gets the same frames, so they are framed once (`textFrame`), and the messages a connection
   * is owed go out in one write: one system call however many there are. ws itself only writes
   * pongs and the close frame on this socket, and without compression it never holds a frame
   * back, so nothing it writes can land inside or ahead of ours.
   */
  private serve(ws: WebSocket, socket: Duplex, userId: number, lastSeen: Cursor | null): void {
    const outlet = new WsOutlet(ws, socket, this.metrics, this.sent);
    this.outlets.set(ws, outlet);
    ws.on('pong', this.onPong);
    this.metrics.pushConnections.inc(TRANSPORT);
    outlet.detach = this.replay.attach(userId, lastSeen, outlet);
    ws.on('close', this.onClose);
    ws.on('error', terminateOnError);
  }

  /**
   * The heartbeat: terminates each connection that did not answer the last ping and pings the
   * others, `PINGS_PER_TURN` at a time with `setImmediate` between (like the fan-out's slices),
   * so requests and pushes are not held up while it goes round. Resolves once every connection
   * open at its start was handled.
   */
  beat(): Promise<void> {
    const open = [...this.outlets.values()];
    let at = 0;
    return new Promise((resolve) => {
      const slice = () => {
        for (const end = Math.min(at + PINGS_PER_TURN, open.length); at < end; at++) this.check(open[at]!);
        if (at < open.length) setImmediate(slice);
        else resolve();
      };
      slice();
    });
  }

  private check(outlet: WsOutlet): void {
    const { ws } = outlet;
    if (ws.readyState !== ws.OPEN) return;
    if (!outlet.alive) return void ws.terminate();
    outlet.alive = false;
    outlet.socket.write(PING); // written directly for the same reason as pushed frames (see serve)
  }
}
