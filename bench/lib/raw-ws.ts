/**
 * The WebSocket client of the push rows' client processes, as little as a client can be: the
 * handshake, then the server's frames read straight from the socket into one buffer shared by
 * every socket of the process (net's `onread`: no stream, no message object, no decoding) and
 * handed over as bytes. Pings are answered, as the server drops connections that do not.
 * With the `ws` package the clients spent about twice the server's CPU per frame of a
 * broadcast and could have set the pace of the push rows; this spends about a third of that.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Reads land here; every handler is done with the bytes before the next read. */
const SHARED = Buffer.alloc(64 * 1024);

const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;

/** A pong echoing `payload`, masked (client frames must be) with a zero key. */
function pong(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | 0xa, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/**
 * Opens `url` (`ws://host:port/path?query`) with `headers`; `onText` gets each text frame's
 * payload (valid only during the call). Resolves with the socket once the upgrade succeeded.
 */
export function openRawWs(url: string, headers: Record<string, string>, onText: (payload: Buffer) => void): Promise<Socket> {
  const u = new URL(url);
  let head: Buffer | null = Buffer.alloc(0);
  /** Bytes of a frame that has not fully arrived yet (copied out of the shared buffer). */
  let partial: Buffer | null = null;
  return new Promise((resolve, reject) => {
    const frames = (b: Buffer) => {
      let i = 0;
      while (b.length - i >= 2) {
        const opcode = b[i]! & 0x0f;
        let length = b[i + 1]! & 0x7f;
        let at = i + 2;
        if (length === 126) {
          if (b.length - i < 4) break;
          length = b.readUInt16BE(i + 2);
          at = i + 4;
        } else if (length === 127) {
          if (b.length - i < 10) break;
          length = Number(b.readBigUInt64BE(i + 2));
          at = i + 10;
        }
        if (b.length - at < length) break;
        const payload = b.subarray(at, at + length);
        if (opcode === TEXT) onText(payload);
        else if (opcode === PING) socket.write(pong(payload));
        else if (opcode === CLOSE) socket.end();
        i = at + length;
      }
      partial = i < b.length ? Buffer.from(b.subarray(i)) : null;
    };
    const upgrade = (b: Buffer) => {
      head = Buffer.concat([head!, b]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        socket.destroy();
        return reject(new Error(`WebSocket upgrade refused: ${status}`));
      }
      const rest = head.subarray(end + 4);
      head = null;
      resolve(socket);
      if (rest.length) frames(rest);
    };
    const socket = connect({
      host: u.hostname,
      port: Number(u.port),
      onread: {
        buffer: SHARED,
        callback: (n) => {
          const b = SHARED.subarray(0, n);
          if (head) upgrade(b);
          else frames(partial ? Buffer.concat([partial, b]) : b);
          return true;
        },
      },
    });
    // After the upgrade an error only ends this socket (the round then counts it as lost).
    socket.on('error', reject);
    socket.once('connect', () => {
      const lines = [
        `GET ${u.pathname}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}
