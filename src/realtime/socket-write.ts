import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

/** What a plain TCP socket's libuv handle shows of itself: its descriptor (a getter, -1 once closed). */
interface TcpHandle {
  fd?: number;
}

/**
 * Writes `bytes` to `socket` as `socket.write(bytes)` would put them on the wire, with one
 * write(2) on the socket's descriptor when nothing is queued before them.
 *
 * WHY: a fan-out writes the same few hundred bytes to thousands of sockets, and `socket.write`
 * goes through the stream layer for each (state checks, a write request object made in C++,
 * a callback and a `nextTick` after it) before the same system call. When the stream holds
 * nothing, the bytes can go to the kernel directly: what the kernel does not take (a client
 * that stopped reading) is handed to `socket.write`, so it is queued, counted in
 * `writableLength` and written out in order as before.
 *
 * Only a plain TCP socket (not TLS: its bytes are encrypted on the way) whose handle is open is
 * written to directly, and its descriptor is read from the handle at each call: a closed
 * socket's descriptor may already belong to another connection.
 */
export function writeToSocket(socket: Duplex, bytes: Buffer): void {
  const fd = socket.writableLength === 0 && !socket.writableEnded ? descriptorOf(socket) : -1;
  if (fd < 0) return void socket.write(bytes);
  let written = 0;
  try {
    written = writeSync(fd, bytes);
  } catch {
    // EAGAIN (the kernel's buffer is full) or a broken connection: the stream queues the bytes
    // or reports the error, as it would have.
  }
  if (written < bytes.length) socket.write(written === 0 ? bytes : bytes.subarray(written));
}

function descriptorOf(socket: Duplex): number {
  if (!(socket instanceof Socket) || socket instanceof TLSSocket) return -1;
  const fd = (socket as unknown as { _handle: TcpHandle | null })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}
