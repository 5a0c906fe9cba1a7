import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { writeToSocket } from '../../src/realtime/socket-write.ts';

/** A lost byte would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 30_000 };

let server: Server;
let accepted: (socket: Socket) => void = () => undefined;
before(async () => {
  server = createServer((socket) => accepted(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
after(() => server.close());

/** A connected pair: `out` is the server's side (written to), `peer` the client's, paused. */
async function pair(): Promise<{ out: Socket; peer: Socket }> {
  const got = new Promise<Socket>((resolve) => (accepted = resolve));
  const { port } = server.address() as { port: number };
  const peer = connect({ port, host: '127.0.0.1' });
  peer.pause();
  const out = await got;
  out.on('error', () => undefined);
  return { out, peer };
}

/** Everything `peer` receives until it has `length` bytes. */
async function readAll(peer: Socket, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  peer.resume();
  for await (const chunk of peer) {
    chunks.push(chunk as Buffer);
    have += (chunk as Buffer).length;
    if (have >= length) break;
  }
  return Buffer.concat(chunks);
}

/** `n` buffers of `size` bytes, each filled with its own byte value, so any reordering shows. */
const pieces = (n: number, size: number) => Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 251));

test('with nothing queued the bytes reach the peer at once, the stream holding none of them', GUARD, async () => {
  const { out, peer } = await pair();
  const bytes = Buffer.from('\x81\x05hello');
  writeToSocket(out, bytes);
  assert.equal(out.writableLength, 0);
  assert.deepEqual(await readAll(peer, bytes.length), bytes);
  peer.destroy();
});

test('a peer that stops reading: what the kernel does not take is queued, later writes queue behind it, all arrive in order', GUARD, async () => {
  const { out, peer } = await pair();
  const sent = pieces(400, 16 * 1024); // 6.4 MB: more than the kernel's buffers hold
  for (const piece of sent) writeToSocket(out, piece);
  // The stream holds the rest, so backpressure (writableLength) is seen as before.
  assert.ok(out.writableLength > 0, 'the bytes the kernel refused are queued in the stream');
  // Another writer of the socket (ws writes pongs and closes) is queued in order too.
  const tail = Buffer.from('tail');
  out.write(tail);
  writeToSocket(out, Buffer.from('after'));
  const expected = Buffer.concat([...sent, tail, Buffer.from('after')]);
  const got = await readAll(peer, expected.length);
  assert.equal(got.length, expected.length);
  assert.ok(got.equals(expected), 'same bytes, same order');
  peer.destroy();
});

test('bytes written with socket.write before are not overtaken', GUARD, async () => {
  const { out, peer } = await pair();
  // Corked: the first write is held in the stream; a direct write must not go ahead of it.
  out.cork();
  out.write('first;');
  writeToSocket(out, Buffer.from('second;'));
  out.uncork();
  writeToSocket(out, Buffer.from('third'));
  assert.equal(String(await readAll(peer, 18)), 'first;second;third');
  peer.destroy();
});

test('a destroyed socket is left to its stream (no descriptor is written to)', GUARD, async () => {
  const { out, peer } = await pair();
  out.destroy();
  assert.doesNotThrow(() => writeToSocket(out, Buffer.from('late')));
  peer.resume();
  await once(peer, 'end');
  assert.equal(peer.bytesRead, 0);
  peer.destroy();
});
