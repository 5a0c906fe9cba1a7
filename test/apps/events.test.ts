import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { EventDelivery } from '../../src/store/port/apps.ts';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { EventHandler, freePort } from './handler.ts';
import { addApp, tokensFor, type TestApp, type Tokens } from './oauth-client.ts';

let ts: TestServer;
let rest: string;
const handlers: EventHandler[] = [];

before(async () => {
  // Retries come quickly here; production waits 10 s, then 20 s, 40 s, ...
  ts = await startTestServer({ eventRetryBaseMs: 100, eventMaxAttempts: 30, eventTimeoutMs: 2000 });
  rest = `${ts.url}/rest/`;
});
after(async () => {
  await ts.close();
  for (const h of handlers) await h.stop();
});

async function handler(): Promise<EventHandler> {
  const h = await new EventHandler().start();
  handlers.push(h);
  return h;
}

/** Polls the delivery log until `check` holds (the test runner's timeout bounds the wait). */
async function deliveriesUntil(appId: number, check: (rows: EventDelivery[]) => boolean): Promise<EventDelivery[]> {
  for (;;) {
    const rows = await ts.server.services.store.events.deliveries({ appId, limit: 100 });
    if (check(rows)) return rows;
    await sleep(20);
  }
}

const AUTH_KEYS = [
  'access_token', 'expires', 'expires_in', 'scope', 'domain', 'server_endpoint', 'status', 'client_endpoint', 'member_id', 'user_id',
];

test('installing (the first code exchanged) posts ONAPPINSTALL with tokens and the application token', async () => {
  const h = await handler();
  const a = await addApp(ts, { name: 'Installer', handlerUrl: h.url('/install/') });
  const admin = await tokensFor(ts, a, 1);
  const got = await h.nextOf('ONAPPINSTALL');
  assert.equal(got.path, '/install/');
  assert.equal(got.contentType, 'application/x-www-form-urlencoded');
  assert.deepEqual(got.body.data, { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' });
  assert.match(got.body.ts, /^\d+$/);
  assert.equal(got.body.event_handler_id, undefined);
  const auth = got.body.auth;
  assert.deepEqual(Object.keys(auth), [...AUTH_KEYS, 'refresh_token', 'application_token']);
  assert.equal(auth.application_token, a.app.applicationToken);
  assert.match(auth.application_token, /^[0-9a-f]{32}$/);
  assert.equal(auth.user_id, '1');
  assert.equal(auth.scope, 'im,user');
  assert.equal(auth.expires_in, '3600');
  assert.equal(auth.member_id, admin.member_id);
  assert.equal(auth.domain, new URL(ts.url).host);
  assert.equal(auth.client_endpoint, `${ts.url}/rest/`);
  // The tokens are real: the application calls back with them (CRest's installer does).
  assert.equal((await ok(auth.client_endpoint, 'profile', { auth: auth.access_token })).ID, 1);
  const refreshed = await call(`${ts.url}/oauth/token/`, '', { grant_type: 'refresh_token', client_id: a.clientId, client_secret: a.clientSecret, refresh_token: auth.refresh_token }, 'form');
  assert.equal(refreshed.status, 200, refreshed.text);

  // Installed once: another user's authorization does not install again.
  const other = await ts.addUser({ login: 'second-installer' });
  await tokensFor(ts, a, other.id);
  const rows = await deliveriesUntil(a.app.id, (r) => r.every((d) => d.status === 'delivered'));
  assert.deepEqual(rows.map((d) => d.event), ['ONAPPINSTALL']);
  assert.equal((await ok(rest, 'app.info', { auth: admin.access_token })).INSTALLED, true);
});

/** An app that sends a confirm notification to `recipient`, with a handler bound to both notify events. */
async function confirmSetup(handlerUrl: string): Promise<{ a: TestApp; sender: Tokens; recipient: { id: number; hook: string } }> {
  const a = await addApp(ts, { name: 'Approvals' });
  const sender = await tokensFor(ts, a, 1);
  const recipient = await ts.addUser({ login: `approver-${Math.random()}` });
  for (const event of ['ONIMNOTIFYCONFIRM', 'ONIMNOTIFYANSWER']) {
    assert.equal(await ok(rest, 'event.bind', { auth: sender.access_token, event, handler: handlerUrl }), true);
  }
  return { a, sender, recipient };
}

test('a bound ONIMNOTIFYCONFIRM and ONIMNOTIFYANSWER reach the handler with the documented fields', async () => {
  const h = await handler();
  const { a, sender, recipient } = await confirmSetup(h.url('/events/'));
  const confirmId = await ok(rest, 'im.notify.system.add', {
    auth: sender.access_token, USER_ID: recipient.id, MESSAGE: 'Approve?', TAG: 'invoice-9',
    BUTTONS: [{ TITLE: 'Approve', VALUE: 'yes', TYPE: 'accept' }, { TITLE: 'Reject', VALUE: 'no', TYPE: 'cancel' }],
  });
  await ok(recipient.hook, 'im.notify.confirm', { NOTIFY_ID: confirmId, NOTIFY_VALUE: 'yes' });
  const confirmed = await h.nextOf('ONIMNOTIFYCONFIRM');
  assert.equal(confirmed.path, '/events/');
  const bindings = await ts.server.services.store.events.bindingsFor(a.app.id, 'ONIMNOTIFYCONFIRM');
  assert.equal(confirmed.body.event_handler_id, String(bindings[0]!.id));
  assert.deepEqual(confirmed.body.data, { NOTIFY_ID: String(confirmId), NOTIFY_VALUE: 'yes', NOTIFY_TAG: 'MP|' + confirmed.body.data.NOTIFY_TAG.split('|')[1] + '|invoice-9' });
  // Tokens are the acting user's (auth_type 0); ordinary events carry no refresh token.
  const auth = confirmed.body.auth;
  assert.deepEqual(Object.keys(auth), [...AUTH_KEYS, 'application_token']);
  assert.equal(auth.user_id, String(recipient.id));
  assert.equal(auth.application_token, a.app.applicationToken);
  assert.equal((await ok(rest, 'profile', { auth: auth.access_token })).ID, recipient.id);

  const answerId = await ok(rest, 'im.notify.personal.add', { auth: sender.access_token, USER_ID: recipient.id, MESSAGE: 'Comment?', ANSWER: 'Y' });
  await ok(recipient.hook, 'im.notify.answer', { NOTIFY_ID: answerId, ANSWER_TEXT: 'Fine by me' });
  const answered = await h.nextOf('ONIMNOTIFYANSWER');
  assert.equal(answered.body.data.NOTIFY_ID, String(answerId));
  assert.equal(answered.body.data.ANSWER_TEXT, 'Fine by me');
});

test('a handler that is down: the REST call answers at once, the delivery is retried until the handler is up', async () => {
  const port = await freePort();
  const { a, sender, recipient } = await confirmSetup(`http://127.0.0.1:${port}/late/`);
  const id = await ok(rest, 'im.notify.system.add', { auth: sender.access_token, USER_ID: recipient.id, MESSAGE: 'Later?', BUTTONS: [{ TITLE: 'Yes', VALUE: 'y', TYPE: 'accept' }] });
  // The confirm answers while nothing listens: the call did not wait for the delivery.
  const confirm = await call(recipient.hook, 'im.notify.confirm', { NOTIFY_ID: id, NOTIFY_VALUE: 'y' });
  assert.equal(confirm.status, 200, confirm.text);

  // Two attempts finished (logged) as failures; a third may already be under way.
  const failing = await deliveriesUntil(a.app.id, (rows) => rows.length === 1 && rows[0]!.log.length >= 2);
  assert.equal(failing[0]!.status, 'pending');
  assert.ok(failing[0]!.log.every((l) => l.status === null && l.error), JSON.stringify(failing[0]!.log));

  const h = new EventHandler();
  handlers.push(h);
  await h.start(port);
  const got = await h.nextOf('ONIMNOTIFYCONFIRM');
  assert.equal(got.body.data.NOTIFY_ID, String(id));
  const [row] = await deliveriesUntil(a.app.id, (rows) => rows[0]!.status === 'delivered');
  assert.ok(row!.attempts >= 3);
  assert.equal(row!.lastStatus, 200);
  assert.equal(row!.lastError, null);
  assert.equal(row!.log.at(-1)!.status, 200);
  assert.ok(row!.deliveredAt);
});

test('a handler that keeps failing is given up after the configured attempts', async () => {
  const strict = await startTestServer({ eventRetryBaseMs: 50, eventMaxAttempts: 3 });
  try {
    const h = await handler();
    h.status = 500;
    const a = await addApp(strict, { name: 'Flaky' });
    const sender = await tokensFor(strict, a, 1);
    await ok(`${strict.url}/rest/`, 'event.bind', { auth: sender.access_token, event: 'ONIMNOTIFYANSWER', handler: h.url('/flaky/') });
    const recipient = await strict.addUser({ login: 'flaky-recipient' });
    const id = await ok(`${strict.url}/rest/`, 'im.notify.personal.add', { auth: sender.access_token, USER_ID: recipient.id, MESSAGE: 'Q?', ANSWER: 'Y' });
    await ok(recipient.hook, 'im.notify.answer', { NOTIFY_ID: id, ANSWER_TEXT: 'A' });
    for (let i = 0; i < 3; i++) await h.nextOf('ONIMNOTIFYANSWER');
    let row: EventDelivery | undefined;
    while (row?.status !== 'failed') {
      [row] = await strict.server.services.store.events.deliveries({ appId: a.app.id, limit: 1 });
      await sleep(20);
    }
    assert.equal(row.attempts, 3);
    assert.deepEqual(row.log.map((l) => [l.status, l.error]), [[500, 'HTTP 500'], [500, 'HTTP 500'], [500, 'HTTP 500']]);
  } finally {
    await strict.close();
  }
});

test('two workers claiming at once never take the same row', async () => {
  const store = ts.server.services.store;
  const a = await addApp(ts, { name: 'Claims' });
  const now = Date.now();
  // Due in the future for the server's own worker, due "now" for the two claimants below.
  const at = now + 3_600_000;
  await store.events.enqueue(
    Array.from({ length: 30 }, (_, i) => ({ appId: a.app.id, bindingId: null, event: 'ONTEST', handler: 'https://x.example.com/', userId: 0, data: { I: i }, withRefresh: false })),
    at,
  );
  const [one, two] = await Promise.all([
    store.events.claimDue('worker-1', at, at + 60_000, 20),
    store.events.claimDue('worker-2', at, at + 60_000, 20),
  ]);
  const ids = [...one, ...two].map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
  assert.equal(ids.length, 30);
  // A live claim keeps others off; once it lapses the row can be taken again.
  assert.equal((await store.events.claimDue('worker-3', at + 1, at + 60_000, 50)).length, 0);
  assert.equal((await store.events.claimDue('worker-3', at + 60_001, at + 120_000, 50)).length, 30);
});
