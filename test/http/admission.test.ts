import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { REQUESTS_PER_TURN } from '../../src/http/admission.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/**
 * `n` connections, each with a first request answered: the server has accepted them all (one
 * per turn) before a test's burst.
 */
async function warmConnections(url: string, n: number): Promise<Socket[]> {
  const port = Number(new URL(url).port);
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
  })));
  await Promise.all(sockets.map((s, i) => new Promise((resolve) => {
    s.once('data', resolve);
    s.write(`GET /warm-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  })));
  return sockets;
}

test('requests that arrive together are started a few per event-loop turn, in order, so turns stay short', async () => {
  const n = REQUESTS_PER_TURN * 4;
  const sockets = await warmConnections(ts.url, n);
  // Count turns of the loop (server and client share it) while the answers come back.
  let turn = 0;
  let counting = true;
  const count = () => {
    turn++;
    if (counting) setImmediate(count);
  };
  const answeredIn: number[] = [];
  const answers = sockets.map((s, i) => new Promise<string>((resolve) => s.once('data', (chunk) => {
    answeredIn[i] = turn;
    resolve(String(chunk));
  })));
  // All requests in one go: they reach the server in the same poll phase. An unknown path is
  // answered without any store call, so only admission can spread them over turns.
  for (const [i, s] of sockets.entries()) s.write(`GET /no-such-page-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  // Hold the loop until every request sits in the server's sockets: the next poll sees them all.
  const until = performance.now() + 200;
  while (performance.now() < until);
  setImmediate(count);
  for (const a of await Promise.all(answers)) assert.match(a, /^HTTP\/1\.1 404/);
  counting = false;
  const turns = new Set(answeredIn);
  assert.ok(turns.size >= 3, `answers came in ${turns.size} turns: ${answeredIn.join(',')}`);
  for (let i = 1; i < n; i++) assert.ok(answeredIn[i]! >= answeredIn[i - 1]!, 'first come, first served');
  for (const s of sockets) s.destroy();
});

test('a shutdown answers the requests still waiting for their turn, not only those in flight', async () => {
  const own = await startTestServer();
  const n = REQUESTS_PER_TURN * 4;
  const sockets = await warmConnections(own.url, n);
  const answers = sockets.map((s) => new Promise<string>((resolve) => {
    let text = '';
    s.on('data', (chunk) => (text += String(chunk)));
    s.on('error', (err) => (text += `[${err.message}]`));
    s.once('close', () => resolve(text));
  }));
  for (const [i, s] of sockets.entries()) s.write(`GET /no-such-page-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const until = performance.now() + 200;
  while (performance.now() < until);
  // The next turn's poll reads them all (a few are started, the rest wait in the admission
  // queue); the close runs in that turn's check phase, before the queue's next turn.
  let closed!: Promise<void>;
  setImmediate(() => setImmediate(() => (closed = own.close())));
  const texts = await Promise.all(answers);
  await closed;
  for (const [i, t] of texts.entries()) assert.match(t, /^HTTP\/1\.1 404/, `request ${i} was answered`);
  assert.match(texts.at(-1)!, /\r\nConnection: close\r\n/i, 'the last one, answered during the shutdown, closes its connection');
});
