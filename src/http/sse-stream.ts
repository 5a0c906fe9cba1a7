import { wireJson } from '../realtime/wire.ts';
import { stream, type Reply } from './reply.ts';

const HEARTBEAT_MS = 25_000;

const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no', // nginx would otherwise hold events back
  Connection: 'keep-alive',
};

export type WriteEvent = (event: { id?: string; data: unknown }) => void;

/**
 * A reply that stays open and sends server-sent events: `start` gets the writer once the head
 * is out and returns what to do when the client goes away. A comment line every 25 s keeps
 * proxies from closing the idle connection.
 */
export function eventStream(start: (write: WriteEvent) => () => void): Reply {
  return stream(EVENT_STREAM_HEADERS, (res) => {
    res.write('retry: 2000\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    ping.unref();
    const stop = start(({ id, data }) => {
      res.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${typeof data === 'object' && data !== null ? wireJson(data) : JSON.stringify(data)}\n\n`);
    });
    res.on('close', () => {
      clearInterval(ping);
      stop();
    });
  });
}
