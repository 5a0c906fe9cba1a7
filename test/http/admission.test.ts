import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REQUESTS_PER_TURN, admitPerTurn } from '../../src/http/admission.ts';
import { createDispatcher } from '../../src/http/dispatch.ts';
import { text } from '../../src/http/reply.ts';
import type { HttpRequest } from '../../src/http/request.ts';
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

test('answers given at once are written after the turn\'s requests were started, together', async () => {
  // The real edge's parts on a bare server, so the test sees each answer being written.
  const events: string[] = [];
  const dispatcher = createDispatcher([['GET', '/n/:i', (req: HttpRequest) => {
    events.push(`start ${req.params.i}`);
    return text(200, 'ok');
  }]], { log: { error: () => undefined }, trustProxy: false });
  const admitted = admitPerTurn(dispatcher);
  const server = createServer((req, res) => {
    const end = res.end.bind(res);
    res.end = ((...args: Parameters<typeof res.end>) => {
      events.push(`write ${req.url!.slice(3)}`);
      return end(...args);
    }) as typeof res.end;
    admitted.request(req, res, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const n = REQUESTS_PER_TURN;
    const sockets = await warmConnections(url, n);
    events.length = 0;
    const answers = sockets.map((s) => new Promise((resolve) => s.once('data', resolve)));
    for (const [i, s] of sockets.entries()) s.write(`GET /n/${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    // Every request sits in the server's sockets before the next poll reads them, in one turn.
    const until = performance.now() + 200;
    while (performance.now() < until);
    await Promise.all(answers);
    const starts = Array.from({ length: n }, (_, i) => `start ${i}`);
    const writes = Array.from({ length: n }, (_, i) => `write ${i}`);
    assert.deepEqual(events, [...starts, ...writes]);
    for (const s of sockets) s.destroy();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
