import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { createMetrics, metricsTable } from '../../src/observability/metrics.ts';
import { defineMethod } from '../../src/rest/registry.ts';
import { generatedSection } from '../../scripts/docs-tables.ts';
import { addApp, tokensFor } from '../apps/oauth-client.ts';
import { freePort } from '../apps/handler.ts';
import { call } from '../helpers/http.ts';
import { scrape, type Scrape } from '../helpers/metrics.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { openSse, openWs } from '../web/channel-client.ts';

let ts: TestServer;

before(async () => {
  // A small bucket, and the caller's address from X-Forwarded-For: one "address" can be throttled
  // while the others call freely.
  ts = await startTestServer({ trustProxy: true, rateLimit: { burst: 3, drain: 0.001 }, eventRetryBaseMs: 600_000 });
  ts.server.services.registry.add(
    // A store query that fails (a duplicate login breaks the unique index): a store error and a 500.
    defineMethod({ name: 'test.store.fail', scope: '_global', handler: async (ctx) => ctx.deps.store.users.create({ login: 'admin' }, ctx.deps.clock.now()) }),
  );
});
after(() => ts.close());

const from = (ip: string) => ({ 'X-Forwarded-For': ip });

async function send(ip: string, method: string, params: Record<string, unknown>) {
  const res = await fetch(`${ts.hook}${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...from(ip) }, body: JSON.stringify(params) });
  await res.arrayBuffer();
  return res.status;
}

function atLeast(m: Scrape, n: number, name: string, labels: Record<string, string> = {}): void {
  const v = m.value(name, labels);
  assert.ok(v >= n, `${name} ${JSON.stringify(labels)} is ${v}, expected at least ${n}`);
}

/** Scrapes until `check` holds: gauges and background work settle a moment after the traffic. */
async function scrapeUntil(check: (m: Scrape) => boolean): Promise<Scrape> {
  const until = Date.now() + 20_000;
  for (;;) {
    const m = await scrape(`${ts.url}/metrics`);
    if (check(m)) return m;
    if (Date.now() > until) assert.fail(`metrics never got there:\n${m.text.split('\n').filter((l) => l.startsWith('notify24_')).join('\n')}`);
    await sleep(25);
  }
}

test('/metrics after real traffic: REST calls by method and status, latency, limits, push, events, jobs, store errors, process', async () => {
  const before = await scrape(`${ts.url}/metrics`);
  assert.equal(before.status, 200);
  const sends = () => before.value('notify24_rest_requests_total', { method: 'im.notify.system.add', status: '200', error: '' });

  // REST: two sends, one refused for its content, one unknown method, one failing store query.
  assert.equal(await send('10.0.0.1', 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'one' }), 200);
  assert.equal(await send('10.0.0.1', 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'two' }), 200);
  assert.equal(await send('10.0.0.1', 'im.notify.system.add', { USER_ID: 1 }), 400);
  assert.equal(await send('10.0.0.2', 'no.such.method', {}), 404);
  assert.equal(await send('10.0.0.3', 'test.store.fail', {}), 500);
  // The leaky bucket: a burst from one address, the calls past it refused.
  const burst = [];
  for (let i = 0; i < 6; i++) burst.push(await send('10.0.0.9', 'server.time', {}));
  assert.deepEqual(burst.filter((s) => s === 503).length, 2, String(burst));

  // Push: a WebSocket and an event stream of a signed-in user, then a notification for them.
  const user = await ts.addUser({ login: 'metrics-user', password: 'metrics-pass-1' });
  const who = await webLogin(ts, 'metrics-user', 'metrics-pass-1');
  const ws = await openWs(ts, who.cookie);
  const sse = await openSse(ts, who.cookie);
  await ws.inbox.until('ready');
  await sse.inbox.until('ready');
  const open = await scrapeUntil((m) => m.value('notify24_push_connections', { transport: 'websocket' }) === 1 && m.value('notify24_push_connections', { transport: 'sse' }) === 1);
  assert.equal((await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'pushed' })).status, 200);
  await ws.inbox.until('notifyAdd');
  await sse.inbox.until('notifyAdd');

  // Event delivery: installing an application queues ONAPPINSTALL to a handler nobody listens on.
  const app = await addApp(ts, { name: 'Unreachable', handlerUrl: `http://127.0.0.1:${await freePort()}/handler/` });
  await tokensFor(ts, app, 1);

  const after = await scrapeUntil((m) => m.value('notify24_event_delivery_attempts_total', { outcome: 'retry' }) >= 1);
  const rest = (labels: Record<string, string>) => after.value('notify24_rest_requests_total', labels) - before.value('notify24_rest_requests_total', labels);
  assert.equal(after.value('notify24_rest_requests_total', { method: 'im.notify.system.add', status: '200', error: '' }) - sends(), 3);
  assert.equal(rest({ method: 'im.notify.system.add', status: '400', error: 'MESSAGE_EMPTY' }), 1);
  assert.equal(rest({ method: 'unknown', status: '404', error: 'ERROR_METHOD_NOT_FOUND' }), 1);
  assert.equal(rest({ method: 'test.store.fail', status: '500', error: 'INTERNAL_SERVER_ERROR' }), 1);
  assert.equal(rest({ method: 'server.time', status: '200' }), 4);
  assert.equal(rest({ status: '503', error: 'QUERY_LIMIT_EXCEEDED' }), 2);
  atLeast(after, 4, 'notify24_rest_request_duration_seconds_count', { method: 'im.notify.system.add' });
  atLeast(after, 4, 'notify24_rest_request_duration_seconds_bucket', { method: 'im.notify.system.add', le: '+Inf' });
  atLeast(after, 12, 'notify24_http_requests_total', { route: '/rest*', method: 'POST' });
  atLeast(after, 1, 'notify24_http_requests_total', { route: '/login', method: 'POST' });
  atLeast(after, 12, 'notify24_http_request_duration_seconds_count', { route: '/rest*' });
  assert.equal(after.value('notify24_http_requests_in_flight'), 1, 'the scrape itself');
  assert.equal(after.value('notify24_rate_limit_refusals_total', { limit: 'requests' }) - before.value('notify24_rate_limit_refusals_total', { limit: 'requests' }), 2);
  atLeast(after, 1, 'notify24_store_query_errors_total', { engine: ts.server.services.store.engine });
  // ready + notifyAdd (carrying the counter) on each transport at least
  atLeast(after, 2, 'notify24_push_messages_sent_total', { transport: 'websocket' });
  atLeast(after, 2, 'notify24_push_messages_sent_total', { transport: 'sse' });
  assert.equal(open.value('notify24_push_connections'), 2);
  atLeast(after, 1, 'notify24_event_deliveries_pending');
  atLeast(after, 1, 'notify24_job_runs_total', { job: 'session-purge', outcome: 'ok' });
  atLeast(after, 1, 'notify24_job_runs_total', { job: 'event-delivery', outcome: 'ok' });
  // prom-client's process metrics
  assert.ok(after.value('process_cpu_user_seconds_total') > 0);
  assert.ok(after.has('nodejs_eventloop_lag_seconds'));
  assert.ok(after.value('process_resident_memory_bytes') > 0);

  await ws.close();
  await sse.close();
  await scrapeUntil((m) => m.value('notify24_push_connections') === 0);

  // The same calls, second by second, for in-process readers (the console's live panel).
  const window = ts.server.services.traffic.summary();
  assert.ok(window.requests >= 12, JSON.stringify(window));
  assert.equal(window.errorsByCode.QUERY_LIMIT_EXCEEDED, 2);
  assert.equal(window.errorsByCode.MESSAGE_EMPTY, 1);
  assert.equal(window.errorsByCode.INTERNAL_SERVER_ERROR, 1);
  assert.ok(window.p99Ms !== null && window.p99Ms > 0);
  assert.equal(ts.server.services.traffic.series(60).reduce((n, p) => n + p.requests, 0), window.requests);
});

test('metrics behind a bearer token, or on a port of their own', async () => {
  const guarded = await startTestServer({ metricsToken: 'scrape-me-123' });
  try {
    const refused = await fetch(`${guarded.url}/metrics`);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), { error: 'WRONG_METRICS_TOKEN', error_description: "The metrics need this server's bearer token" });
    assert.equal((await scrape(`${guarded.url}/metrics`, { Authorization: 'Bearer wrong' })).status, 401);
    const allowed = await scrape(`${guarded.url}/metrics`, { Authorization: 'Bearer scrape-me-123' });
    assert.equal(allowed.status, 200);
    atLeast(allowed, 2, 'notify24_http_requests_total', { route: '/metrics', status: '401' });
  } finally {
    await guarded.close();
  }

  const apart = await startTestServer({ metricsPort: 0 });
  try {
    assert.equal((await fetch(`${apart.url}/metrics`)).status, 404);
    assert.match(apart.server.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.equal((await call(apart.hook, 'server.time')).status, 200);
    const m = await scrape(apart.server.metricsUrl!);
    assert.equal(m.status, 200);
    assert.equal(m.value('notify24_rest_requests_total', { method: 'server.time', status: '200' }), 1);
    assert.equal((await fetch(apart.server.metricsUrl!.replace('/metrics', '/healthz'))).status, 404, 'only /metrics there');
  } finally {
    await apart.close();
  }
});

test('every declared metric is exported, and docs/operations.md lists them (run `npm run docs:tables`)', async () => {
  const m = await scrape(`${ts.url}/metrics`);
  for (const d of createMetrics().registry.declared()) assert.match(m.text, new RegExp(`^# TYPE ${d.name} ${d.kind}$`, 'm'), d.name);
  assert.equal(generatedSection(readFileSync('docs/operations.md', 'utf8'), 'metrics'), metricsTable());
});
