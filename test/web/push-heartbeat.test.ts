import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { PINGS_PER_TURN } from '../../src/realtime/ws.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

/** A lost message would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 60_000 };

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

const turn = () => new Promise((resolve) => setImmediate(resolve));

interface Client {
  ws: WebSocket;
  pings: number;
  closed: Promise<number>;
}

/** An open channel that counts the server's pings; `autoPong: false` never answers them. */
function open(who: WebLogin, autoPong = true): Promise<Client> {
  const ws = new WebSocket(`${ts.url.replace(/^http/, 'ws')}/ws`, { headers: { Cookie: who.cookie }, perMessageDeflate: false, autoPong });
  const client: Client = { ws, pings: 0, closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
  ws.on('ping', () => client.pings++);
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      if (String(data).includes('"ready"')) resolve(client);
    });
  });
}

/** Resolves once the server has read everything `c` sent before: the answer to a ping of its own. */
function roundTrip(c: Client): Promise<void> {
  return new Promise((resolve) => {
    c.ws.once('pong', () => resolve());
    c.ws.ping();
  });
}

test('the heartbeat pings connections in slices: other work runs between them, and every connection is pinged once', GUARD, async () => {
  await ts.addUser({ login: 'many', password: 'many-pass-1' });
  const who = await webLogin(ts, 'many', 'many-pass-1');
  const n = PINGS_PER_TURN * 4 + 10; // five slices: the first at once, four on later turns
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 200) clients.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => open(who)))));

  let done = false;
  const beat = ts.server.services.pushSockets.beat().then(() => (done = true));
  let turnsWhileBeating = 0;
  while (!done) {
    await turn();
    if (!done) turnsWhileBeating++;
  }
  await beat;
  assert.ok(turnsWhileBeating >= 3, `other turns ran ${turnsWhileBeating} times while ${n} connections were pinged`);
  while (clients.some((c) => c.pings < 1)) await turn();
  assert.ok(clients.every((c) => c.pings === 1));
  for (const c of clients) c.ws.terminate();
});

test('a connection that did not answer the last ping is closed at the next beat; one that answered stays', GUARD, async () => {
  await ts.addUser({ login: 'pulse', password: 'pulse-pass-1' });
  const who = await webLogin(ts, 'pulse', 'pulse-pass-1');
  const answers = await open(who);
  const silent = await open(who, false);
  const channel = ts.server.services.pushSockets;

  await channel.beat();
  while (answers.pings < 1 || silent.pings < 1) await turn();
  await roundTrip(answers); // its pong has been read by the server
  await channel.beat();
  assert.equal(await silent.closed, 1006, 'terminated, no close handshake');
  while (answers.pings < 2) await turn();
  assert.equal(answers.ws.readyState, WebSocket.OPEN);
  answers.ws.terminate();
});

test('a channel closed before any page connected refuses a later upgrade with 503, as ws does once closed', GUARD, async () => {
  const own = await startTestServer();
  try {
    await own.addUser({ login: 'late', password: 'late-pass-1' });
    const who = await webLogin(own, 'late', 'late-pass-1');
    await own.server.services.pushSockets.close();
    const ws = new WebSocket(`${own.url.replace(/^http/, 'ws')}/ws`, { headers: { Cookie: who.cookie } });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('the channel opened after close')));
      ws.once('error', reject);
    });
    assert.equal(status, 503);
  } finally {
    await own.close();
  }
});
