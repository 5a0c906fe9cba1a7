import assert from 'node:assert/strict';
import { get as httpsGet } from 'node:https';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { openSse, type Pushed } from './channel-client.ts';

/** A lost message would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 60_000 };

let ts: TestServer;
before(async () => {
  // Small limits so a connection that stops reading falls behind after a few messages.
  ts = await startTestServer({ pushSlowBytes: 64 * 1024, pushSlowMessages: 8 });
});
after(() => ts.close());

const wsUrl = (query = '') => `${ts.url.replace(/^http/, 'ws')}/ws${query}`;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A WebSocket client that keeps every message; resolves once `ready` arrived. */
function subscribe(who: WebLogin, query = '', offerCompression = false): Promise<{ ws: WebSocket; got: Pushed[] }> {
  const ws = new WebSocket(wsUrl(query), { headers: { Cookie: who.cookie }, perMessageDeflate: offerCompression });
  const got: Pushed[] = [];
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Pushed;
      got.push(m);
      if (m.command === 'ready') resolve({ ws, got });
    });
  });
}

/** One HTTP/1.1 request on a raw connection; resolves when the answer's first bytes arrive. */
function answered(socket: Socket, path: string, onAnswer: () => void): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk) => {
      onAnswer();
      resolve(String(chunk));
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

test('a fan-out to thousands of connections goes out in slices: a request arriving meanwhile is answered before its last slice', GUARD, async () => {
  await ts.addUser({ login: 'crowd', password: 'crowd-pass-1' });
  const who = await webLogin(ts, 'crowd', 'crowd-pass-1');
  const N = 3000;
  const clients: { ws: WebSocket; got: Pushed[] }[] = [];
  for (let i = 0; i < N; i += 500) clients.push(...(await Promise.all(Array.from({ length: Math.min(500, N - i) }, () => subscribe(who)))));
  const fanout = ts.server.services.replay.fanout;
  // A request that needs no store: a REST call on PostgreSQL waits for database round trips,
  // each read between two slices, so the slices it needs would measure the database, not slicing.
  const path = '/healthz';
  const raw = connect(Number(new URL(ts.url).port), '127.0.0.1');
  try {
    await new Promise((resolve) => raw.once('connect', resolve));
    assert.match(await answered(raw, path, () => undefined), /^HTTP\/1\.1 200/, 'the connection is accepted and warm');

    // The request is on the wire before the fan-out starts; it is read on the next turn.
    const slicesBefore = fanout.slices;
    let pendingAtAnswer = -1;
    let slicesAtAnswer = -1;
    const reply = answered(raw, path, () => {
      pendingAtAnswer = fanout.pending();
      slicesAtAnswer = fanout.slices - slicesBefore;
    });
    await ts.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { text: 'to everyone' } });
    assert.match(await reply, /^HTTP\/1\.1 200/);
    assert.ok(pendingAtAnswer > 0, `the request was answered while ${pendingAtAnswer} writes were still queued`);

    // Every connection still gets the message, once.
    while (clients.some((c) => !c.got.some((m) => m.command === 'notifyAdd'))) await turn();
    const slices = fanout.slices - slicesBefore;
    assert.ok(slices >= 3, `the writes took ${slices} turns (at most 1024 writes a turn)`);
    assert.ok(slicesAtAnswer < slices, `answered after ${slicesAtAnswer} of ${slices} slices`);
    assert.ok(clients.every((c) => c.got.filter((m) => m.command === 'notifyAdd').length === 1));
  } finally {
    raw.destroy();
    for (const c of clients) c.ws.terminate();
  }
});

test('a connection that stops reading is skipped, then closed with 4008, and resumes where it stopped', GUARD, async () => {
  await ts.addUser({ login: 'stalls', password: 'stalls-pass-1' });
  const who = await webLogin(ts, 'stalls', 'stalls-pass-1');
  const reader = await subscribe(who);
  const stalled = await subscribe(who);
  const node = String(stalled.got.at(-1)!.params.node);
  stalled.ws.pause();
  const closed = new Promise<number>((resolve) => stalled.ws.once('close', (code) => resolve(code)));
  const dropped = async () => (await ts.server.services.metricsRegistry.read()).find((m) => m.name === 'notify24_push_slow_dropped_total')?.values.reduce((a, v) => a + v.value, 0) ?? 0;
  const before = await dropped();

  // Large messages until the server gives up on the stalled connection (well within the replay buffer).
  const big = 'x'.repeat(128 * 1024);
  let sent = 0;
  while ((await dropped()) === before) {
    assert.ok(sent < 400, 'the stalled connection was never dropped');
    await ts.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { n: sent++, big } });
    await turn();
  }
  // The connection that reads got everything, in order, meanwhile.
  while (reader.got.filter((m) => m.command === 'notifyAdd').length < sent) await turn();
  const published = reader.got.filter((m) => m.command === 'notifyAdd');
  assert.deepEqual(published.map((m) => m.params.n), Array.from({ length: sent }, (_, i) => i));

  // The stalled one reads again: what was written before it fell behind, then close code 4008.
  stalled.ws.resume();
  assert.equal(await closed, 4008);
  const before4008 = stalled.got.filter((m) => m.command === 'notifyAdd');
  assert.ok(before4008.length < sent, 'it was skipped, not buffered without bound');
  assert.deepEqual(before4008.map((m) => m.id), published.slice(0, before4008.length).map((m) => m.id), 'no gap before the close');

  // Reconnecting with its last id gives exactly what it missed, then ready.
  const last = stalled.got.at(-1)!.id;
  const again = await subscribe(who, `?last=${last}&node=${node}`);
  const missed = again.got.filter((m) => m.command === 'notifyAdd');
  assert.deepEqual([...before4008, ...missed].map((m) => m.id), published.map((m) => m.id));
  assert.equal(again.got.at(-1)!.id, published.at(-1)!.id, 'ready carries the cursor');
  reader.ws.terminate();
  again.ws.terminate();
});

test('messages published in one turn reach each connection in one write, each still its own frame, in order (WebSocket and SSE)', GUARD, async () => {
  await ts.addUser({ login: 'burst', password: 'burst-pass-1' });
  const who = await webLogin(ts, 'burst', 'burst-pass-1');
  // The third offers compression, as browsers do: the server declines it (its frames are prepared bytes).
  const ws = [await subscribe(who), await subscribe(who), await subscribe(who, '', true)];
  assert.equal(ws[2]!.ws.extensions, '');
  const sse = await openSse(ts, who.cookie);
  await sse.inbox.until('ready');
  const fanout = ts.server.services.replay.fanout;
  const writesBefore = fanout.writes;

  // Three sizes: each WebSocket frame length form (7-bit, 16-bit, 64-bit) is made once and sent together.
  const texts = ['s', 'm'.repeat(300), 'l'.repeat(70_000)];
  for (const text of texts) void ts.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { text } });

  const sseGot = [] as Pushed[];
  while (sseGot.length < 3) sseGot.push(await sse.inbox.next());
  while (ws.some((c) => c.got.filter((m) => m.command === 'notifyAdd').length < 3)) await turn();
  for (const got of [...ws.map((c) => c.got.filter((m) => m.command === 'notifyAdd')), sseGot]) {
    assert.deepEqual(got.map((m) => [m.command, m.params.text]), texts.map((text) => ['notifyAdd', text]));
    assert.ok(got[0]!.id < got[1]!.id && got[1]!.id < got[2]!.id);
  }
  assert.equal(fanout.writes - writesBefore, 4, 'one write per connection for the three messages');
  for (const c of ws) c.ws.terminate();
  await sse.close();
});

test('over HTTPS (wss://) the prepared frames go through TLS the same way', GUARD, async () => {
  await ts.addUser({ login: 'secure', password: 'secure-pass-1' });
  const who = await webLogin(ts, 'secure', 'secure-pass-1');
  const ws = new WebSocket(`${ts.httpsUrl.replace(/^https/, 'wss')}/ws`, { headers: { Cookie: who.cookie }, rejectUnauthorized: false });
  const got: Pushed[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Pushed;
      got.push(m);
      if (m.command === 'ready') resolve();
    });
  });
  const texts = ['tls', 't'.repeat(70_000)];
  for (const text of texts) void ts.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { text } });
  while (got.filter((m) => m.command === 'notifyAdd').length < 2) await turn();
  assert.deepEqual(got.filter((m) => m.command === 'notifyAdd').map((m) => m.params.text), texts);
  ws.terminate();
});

test('over HTTPS the event stream\'s prepared chunks go through TLS the same way, in order, after the stream\'s own lines', GUARD, async () => {
  await ts.addUser({ login: 'secure-sse', password: 'secure-pass-2' });
  const who = await webLogin(ts, 'secure-sse', 'secure-pass-2');
  const events: Pushed[] = [];
  let raw = '';
  let chunked = '';
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
    httpsGet(`${ts.httpsUrl}/events/stream`, { headers: { Cookie: who.cookie, Accept: 'text/event-stream' }, rejectUnauthorized: false }, resolve).once('error', reject),
  );
  chunked = String(res.headers['transfer-encoding']);
  res.setEncoding('utf8');
  res.on('data', (text: string) => {
    raw += text;
    let end: number;
    while ((end = raw.indexOf('\n\n')) >= 0) {
      const data = raw.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      raw = raw.slice(end + 2);
      if (data) events.push(JSON.parse(data) as Pushed);
    }
  });
  while (!events.some((m) => m.command === 'ready')) await turn();
  const texts = ['tls', 't'.repeat(70_000), 'é€😀'];
  for (const text of texts) void ts.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { text } });
  while (events.filter((m) => m.command === 'notifyAdd').length < texts.length) await turn();
  assert.equal(chunked, 'chunked');
  assert.deepEqual(events.filter((m) => m.command === 'notifyAdd').map((m) => m.params.text), texts);
  res.destroy();
});

test('a user\'s messages that come within NOTIFY24_PUSH_GAP_MS of the last fan-out wait for it and go out together', GUARD, async () => {
  const gapped = await startTestServer({ pushGapMs: 1000 });
  try {
    await gapped.addUser({ login: 'steady', password: 'steady-pass-1' });
    const who = await webLogin(gapped, 'steady', 'steady-pass-1');
    const open = () => new Promise<{ ws: WebSocket; got: Pushed[] }>((resolve, reject) => {
      const ws = new WebSocket(`${gapped.url.replace(/^http/, 'ws')}/ws`, { headers: { Cookie: who.cookie }, perMessageDeflate: false });
      const got: Pushed[] = [];
      ws.once('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as Pushed;
        got.push(m);
        if (m.command === 'ready') resolve({ ws, got });
      });
    });
    const clients = [await open(), await open()];
    const adds = (c: { got: Pushed[] }) => c.got.filter((m) => m.command === 'notifyAdd').map((m) => m.params.n);
    const fanout = gapped.server.services.replay.fanout;
    const publish = (n: number) => void gapped.server.services.hub.publish(who.userId, { command: 'notifyAdd', params: { n } });

    publish(1);
    while (clients.some((c) => adds(c).length < 1)) await turn();
    const afterFirst = fanout.writes;
    // Two more, on separate turns: without the gap each would be its own fan-out (two writes a page).
    publish(2);
    await turn();
    publish(3);
    while (clients.some((c) => adds(c).length < 3)) await turn();
    assert.equal(fanout.writes - afterFirst, clients.length, 'one write per page for both');
    for (const c of clients) {
      assert.deepEqual(adds(c), [1, 2, 3]);
      c.ws.terminate();
    }
  } finally {
    await gapped.close();
  }
});
