import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { webErrors } from '../../errors/web.ts';
import { sessionFromHeaders, type SessionDeps } from '../../identity/web-sessions.ts';
import type { ServerMetrics } from '../../observability/metrics.ts';
import type { ChannelMessage, PushReplay } from '../../realtime/replay.ts';
import { cursorFrom, type WsChannel } from '../../realtime/ws.ts';
import { refuseUpgrade } from '../dispatch.ts';
import type { Reply } from '../reply.ts';
import { sameOrigin, type HttpRequest } from '../request.ts';
import { batchEncoder, SentTally } from '../../realtime/wire.ts';
import { eventStream, sseChunk } from '../sse-stream.ts';

export interface PushDeps extends SessionDeps {
  replay: PushReplay;
  ws: WsChannel;
  metrics: Pick<ServerMetrics, 'pushConnections' | 'pushSent' | 'pushSlowDropped'>;
}

/**
 * The push channel of the web page: a WebSocket on `/ws`, and the same messages as server-sent
 * events on `/events/stream` where WebSockets do not pass. Both need the page's session and
 * our own origin; both resume from where the client stopped.
 */
export function pushHandlers(deps: PushDeps) {
  const sseTransport = { transport: 'sse' };
  /** One encoder and one tally for every event stream: a fan-out's streams share their bytes. */
  const chunksOf = batchEncoder<ChannelMessage>('sse', (m) => sseChunk({ id: `${m.id}@${deps.replay.node}`, data: m }));
  // Made on the first stream, not with the route table (which is also built without metrics).
  let sent: SentTally<'transport'> | null = null;
  async function userOf(headers: IncomingHttpHeaders): Promise<number | null> {
    try {
      return (await sessionFromHeaders(deps, headers))?.userId ?? null;
    } catch {
      return null;
    }
  }

  return {
    /**
     * `{id, command, params}` messages as `data:` lines with `id:`, so the browser's EventSource
     * resumes by itself through `Last-Event-ID` (`<id>@<node>`; `?last=&node=` works too, for the
     * first connection of a page).
     */
    async events(req: HttpRequest): Promise<Reply> {
      if (!sameOrigin(req.headers)) throw webErrors.crossOrigin();
      const userId = await userOf(req.headers);
      if (userId === null) throw webErrors.pushNotSignedIn();
      const header = req.headers['last-event-id'];
      const lastSeen = typeof header === 'string'
        ? cursorFrom(header)
        : cursorFrom(req.url.searchParams.get('last'), req.url.searchParams.get('node'));
      const { replay, metrics } = deps;
      const transport = sseTransport;
      return eventStream((write, stream) => {
        metrics.pushConnections.inc(transport);
        const detach = replay.attach(userId, lastSeen, {
          write: (messages) => {
            write(chunksOf(messages));
            (sent ??= new SentTally(deps.metrics.pushSent, sseTransport)).add(messages.length);
          },
          buffered: () => stream.writableLength,
          // No close code here: EventSource reconnects by itself with Last-Event-ID.
          drop: () => {
            metrics.pushSlowDropped.inc(transport);
            stream.destroy();
          },
        });
        return () => {
          detach();
          metrics.pushConnections.dec(transport);
        };
      });
    },

    async websocket(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
      if (!sameOrigin(req.headers)) return refuseUpgrade(socket, webErrors.crossOrigin.status);
      const userId = await userOf(req.headers);
      if (userId === null) return refuseUpgrade(socket, webErrors.pushNotSignedIn.status);
      deps.ws.accept(req, socket, head, userId, cursorFrom(url.searchParams.get('last'), url.searchParams.get('node')));
    },
  };
}
