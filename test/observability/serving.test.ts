import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { listenQueues } from '../../src/observability/accept-queue.ts';
import { scrape } from '../helpers/metrics.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

const linux = process.platform === 'linux';

/** Keeps the event loop busy for `ms` (the server shares this process). */
function block(ms: number, during: () => void = () => undefined): void {
  const end = performance.now() + ms;
  while (performance.now() < end) during();
}

test('/metrics: event-loop delay since the previous scrape shows a turn that blocked', async () => {
  await scrape(`${ts.url}/metrics`); // starts a fresh window
  await new Promise((resolve) => setTimeout(resolve, 50));
  block(300);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const m = await scrape(`${ts.url}/metrics`);
  const max = m.value('notify24_event_loop_delay_seconds', { stat: 'max' });
  const p99 = m.value('notify24_event_loop_delay_seconds', { stat: 'p99' });
  // A 300 ms busy turn makes the 10 ms timer at least that late: a lower bound by construction.
  assert.ok(max >= 0.25, `max ${max}`);
  assert.ok(p99 <= max);
  assert.ok(m.value('notify24_connections_accepted_total', { listener: 'http' }) >= 1);
  // The next window starts empty: the blocked turn is not reported twice.
  const next = await scrape(`${ts.url}/metrics`);
  assert.ok(next.value('notify24_event_loop_delay_seconds', { stat: 'max' }) < max);
});

test('accept queue: connections the kernel completed while the loop was busy are counted until accepted', { skip: !linux && 'Linux /proc only' }, async () => {
  const port = Number(new URL(ts.url).port);
  const listeners = [{ name: 'http', port }];
  const sockets: Socket[] = [];
  let queued = 0;
  // Connect while the loop cannot accept: the handshakes complete in the kernel and wait.
  for (let i = 0; i < 5; i++) sockets.push(connect(port, '127.0.0.1'));
  await new Promise((resolve) => process.nextTick(resolve)); // net issues the connect calls on the next tick
  block(2000, () => {
    const sample = listenQueues(readFileSync('/proc/net/tcp', 'utf8'), listeners);
    if (queued < 5 && Array.isArray(sample)) queued = sample[0]?.[1] ?? 0;
  });
  assert.equal(queued, 5, 'five connections waited in the accept queue');
  // Once the loop runs again they are accepted and the queue is empty.
  await Promise.all(sockets.map((s) => new Promise((resolve) => (s.readyState === 'open' ? resolve(null) : s.once('connect', resolve)))));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const m = await scrape(`${ts.url}/metrics`);
  assert.ok(m.has('notify24_accept_queue_connections'));
  assert.equal(m.value('notify24_accept_queue_connections', { listener: 'http' }), 0);
  assert.ok(m.has('notify24_host_listen_overflows'));
  for (const s of sockets) s.destroy();
});
