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

const CRLF = Buffer.from('\r\n');
let lastData: Buffer | null = null;
let lastChunk: Buffer | null = null;

/**
 * `data` as one chunk of a chunked HTTP/1.1 body — its size in hex, CRLF, the bytes, CRLF: what
 * `res.write(data)` puts on the wire. WHY: `res.write` on a chunked body corks the socket, writes
 * the size line, the data and the CRLF separately and uncorks on the next tick, ~3 µs of CPU per
 * stream; a fan-out hands every stream in step the same bytes, so the chunk is made once (the
 * last one is kept) and each stream gets one socket write, like a WebSocket.
 */
export function httpChunk(data: Buffer): Buffer {
  if (data !== lastData || lastChunk === null) {
    lastChunk = Buffer.concat([Buffer.from(data.length.toString(16), 'latin1'), CRLF, data, CRLF]);
    lastData = data;
  }
  return lastChunk;
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
      if (!Buffer.isBuffer(event)) return void res.write(sseChunk(event));
      const socket = res.socket;
      // Prepared bytes go to the socket as the chunk `res.write` would make of them (see
      // `httpChunk`), when the body is chunked and nothing waits in the response itself;
      // otherwise (not chunked, head not out yet, ending) through `res.write` as before.
      if (socket !== null && event.length > 0 && res.chunkedEncoding && res.headersSent && !res.writableEnded && res.writableLength === socket.writableLength) socket.write(httpChunk(event));
      else res.write(event);
    }, res);
    res.on('close', () => {
      clearInterval(ping);
      stop();
    });
  });
}
