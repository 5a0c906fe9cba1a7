import type { ServerResponse } from 'node:http';
import { wireJson } from '../realtime/wire.ts';
import { stream, type Reply } from './reply.ts';

const HEARTBEAT_MS = 25_000;

const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no', // nginx would otherwise hold events back
  Connection: 'keep-alive',
};

export interface SseEvent {
  id?: string;
  data: unknown;
}

/** A prepared chunk (`sseChunk`) or an event to format. */
export type WriteEvent = (event: SseEvent | Buffer) => void;

/** One event as it goes on the wire: `id:` (when given) and one `data:` line of JSON. */
export function sseChunk({ id, data }: SseEvent): string {
  return `${id === undefined ? '' : `id: ${id}\n`}data: ${typeof data === 'object' && data !== null ? wireJson(data) : JSON.stringify(data)}\n\n`;
}

/**
 * A reply that stays open and sends server-sent events: `start` gets the writer once the head
 * is out (a fan-out hands it one prepared chunk for all its streams) and returns what to do when the client goes away. A comment line every 25 s keeps
 * proxies from closing the idle connection.
 */
export function eventStream(start: (write: WriteEvent, stream: Pick<ServerResponse, 'writableLength' | 'destroy'>) => () => void): Reply {
  return stream(EVENT_STREAM_HEADERS, (res) => {
    res.write('retry: 2000\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    ping.unref();
    const stop = start((event) => {
      res.write(Buffer.isBuffer(event) ? event : sseChunk(event));
    }, res);
    res.on('close', () => {
      clearInterval(ping);
      stop();
    });
  });
}
