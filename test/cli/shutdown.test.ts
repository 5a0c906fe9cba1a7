/**
 * Graceful shutdown of `notify24 serve` as an operator runs it (a child process): SIGTERM with
 * requests in flight, push connections open, and a deadline.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { createUser } from '../../src/identity/accounts.ts';
import { openStore } from '../../src/store/open.ts';
import { scrape } from '../helpers/metrics.ts';
import { startNode, type NodeProcess } from '../helpers/node-process.ts';
import { createTestSchema } from '../helpers/services.ts';
import { webLogin } from '../helpers/session.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify24-shutdown-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `fn` with a `notify24 serve` node (info-level logs in `format`) over a fresh database: a
 * PostgreSQL schema in the PostgreSQL run, else a SQLite file. The node is stopped after.
 */
async function withNode(name: string, env: { format: string; graceMs: number }, fn: (node: NodeProcess, databaseUrl: string) => Promise<void>): Promise<void> {
  const db = process.env.NOTIFY24_TEST_STORE === 'postgres' ? await createTestSchema() : { url: join(dir, `${name}.db`), drop: async () => undefined };
  const node = await startNode(
    { NOTIFY24_DATABASE_URL: db.url, NOTIFY24_LOG_LEVEL: 'info', NOTIFY24_LOG_FORMAT: env.format, NOTIFY24_SHUTDOWN_TIMEOUT_MS: String(env.graceMs) },
    { expectHook: true },
  );
  try {
    await fn(node, db.url);
  } finally {
    await node.stop();
    await db.drop();
  }
}

/** A POST whose head and first half of the body are sent now; `finish()` sends the rest and reads the answer. */
function halfSent(url: string, body: string): { finish(): Promise<{ status: number; connection: string | undefined; body: string }>; failed: Promise<Error> } {
  const bytes = Buffer.from(body);
  const cut = Math.floor(bytes.length / 2);
  const req: ClientRequest = httpRequest(url, {
    method: 'POST',
    agent: false,
    headers: { 'Content-Type': 'application/json', 'Content-Length': bytes.length },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const failed = answered.then(() => new Error('answered'), (err: Error) => err);
  req.write(bytes.subarray(0, cut));
  return {
    failed,
    async finish() {
      req.end(bytes.subarray(cut));
      const res = await answered;
      let text = '';
      for await (const chunk of res) text += String(chunk);
      return { status: res.statusCode!, connection: res.headers.connection, body: text };
    },
  };
}

/** Whether a new connection is accepted (a fresh socket, not a pooled one). */
function accepts(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

async function inFlightReaches(node: NodeProcess, n: number): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    // the scrape counts itself
    const m = await scrape(`${node.url}/metrics`);
    if (m.value('notify24_http_requests_in_flight') >= n + 1) return;
    assert.ok(Date.now() < until, `in flight: ${m.value('notify24_http_requests_in_flight')}, expected ${n}`);
    await sleep(20);
  }
}

test('SIGTERM with a burst of sends in flight: every one is answered and stored, WebSockets get 1001, streams end, exit 0', async () => {
  await withNode('burst', { format: 'json', graceMs: 30_000 }, async (node, databaseUrl) => {
    // A signed-in page with both push transports open.
    const store = await openStore(databaseUrl);
    await createUser(store, { login: 'sam', name: 'Sam', password: 'sam-password-1' }, Date.now());
    await store.close();
    const who = await webLogin(node, 'sam', 'sam-password-1');
    const ws = new WebSocket(`${node.url.replace(/^http/, 'ws')}/ws`, { headers: { Cookie: who.cookie } });
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve()); // `ready`
      ws.once('error', reject);
    });
    const sse = await fetch(`${node.url}/events/stream`, { headers: { Cookie: who.cookie } });
    const reader = sse.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /^retry: /);
    const sseEnded = (async () => {
      while (!(await reader.read()).done);
    })();

    // The burst: each send has its head and half its body on the server, which is reading the rest.
    const N = 40;
    const sends = Array.from({ length: N }, (_, i) => halfSent(`${node.hook}im.notify.system.add.json`, JSON.stringify({ USER_ID: 1, MESSAGE: `burst-${i}` })));
    await inFlightReaches(node, N);

    node.kill('SIGTERM');
    const until = Date.now() + 10_000;
    while (await accepts(node.url)) {
      assert.ok(Date.now() < until, 'still accepting connections after SIGTERM');
      await sleep(20);
    }
    await sleep(300); // the server is waiting for the bodies, not giving up on them

    const answers = await Promise.all(sends.map((s) => s.finish()));
    for (const a of answers) {
      assert.equal(a.status, 200, a.body);
      assert.ok(JSON.parse(a.body).result > 0, a.body);
      assert.equal(a.connection, 'close');
    }
    assert.equal(await wsClosed, 1001);
    await sseEnded;
    assert.equal(await node.exited, 0, node.output());

    const lines = node.log().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'));
    assert.equal(lines.at(-1)!.msg, 'stopped');
    assert.equal(lines.filter((l) => l.msg === 'request' && l.rest_method === 'im.notify.system.add' && l.status === 200).length, N);

    const after = await openStore(databaseUrl);
    try {
      const stored = (await after.notifications.page(1, false, null, 1000)).map((n) => n.text).filter((b) => b.startsWith('burst-'));
      assert.deepEqual(stored.sort(), Array.from({ length: N }, (_, i) => `burst-${i}`).sort());
    } finally {
      await after.close();
    }
  });
});

test('past NOTIFY24_SHUTDOWN_TIMEOUT_MS the unfinished requests are cut and the process still exits 0 (readable log lines)', async () => {
  await withNode('deadline', { format: 'pretty', graceMs: 500 }, async (node) => {
    const stuck = halfSent(`${node.hook}im.notify.system.add.json`, JSON.stringify({ USER_ID: 1, MESSAGE: 'never finished' }));
    await inFlightReaches(node, 1);
    const began = Date.now();
    node.kill('SIGTERM');
    assert.equal(await node.exited, 0, node.output());
    assert.ok(Date.now() - began < 10_000);
    assert.match((await stuck.failed).message, /socket hang up|ECONNRESET/);
    const log = node.log();
    assert.match(log, /INFO.*shutting down/);
    assert.match(log, /INFO.*: GET \/metrics 200 [\d.]+ ms 127\.0\.0\.1 #[0-9a-f-]{36}$/m, 'an access line on one line');
    assert.doesNotMatch(log, /^\{"level"/m, 'not JSON');
  });
});
