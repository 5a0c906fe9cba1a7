/**
 * Web Push against a push service played by the test (test/webpush/push-service.ts): the VAPID
 * signature, the encrypted body, the subscription's life (404/410, retries) and the REST
 * extension methods, over the real server on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { startServer } from '../../src/server.ts';
import { WEB_PUSH } from '../../src/jobs/jobs.ts';
import { parseSubscription } from '../../src/webpush/subscriptions.ts';
import { MAX_ATTEMPTS } from '../../src/webpush/worker.ts';
import { call } from '../helpers/http.ts';
import { scrape } from '../helpers/metrics.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { TestPushService, type TestBrowser } from './push-service.ts';

const clock = new ManualClock();
let ts: TestServer;
let service: TestPushService;

before(async () => {
  ts = await startTestServer({ pushInsecureEndpoints: true, handlerNetworks: ['public', 'private', 'loopback'], pushSubject: 'mailto:ops@example.org', webhookTagsWithClientId: true }, { clock });
  service = await new TestPushService().start();
});
after(async () => {
  await ts.close();
  await service.close();
});

async function subscribed(hook: string, userAgent = 'TestBrowser/1'): Promise<TestBrowser> {
  const browser = service.browser();
  const r = await call(hook, 'notify24.push.subscribe', { SUBSCRIPTION: browser.json, USER_AGENT: userAgent });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return browser;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never happened: ${what}`);
}

const wakePush = () => ts.server.services.jobs.wake(WEB_PUSH);

/** Push attempts the server finished (any outcome), from its metrics. */
async function attempts(): Promise<number> {
  return (await scrape(`${ts.url}/metrics`)).value('notify24_web_push_attempts_total');
}

/** Waits until `n` more attempts than `before` are finished: the worker has stored their outcome. */
async function settled(before: number, n: number): Promise<number> {
  await until(async () => (await attempts()) >= before + n, `${n} attempts finished`);
  return before + n;
}

test('notify24.push.key answers the VAPID public key, the same on every node and after a restart', async () => {
  const first = await call(ts.hook, 'notify24.push.key');
  const key = Buffer.from(first.body.result.public_key, 'base64url');
  assert.deepEqual([key.length, key[0]], [65, 4]);
  // A second node on the same database signs with the same pair.
  const second = await startServer({ ...ts.config, port: 0, httpsPort: null }, { log: createLogger('silent') });
  try {
    const again = await call(ts.hook.replace(ts.url, second.httpUrl), 'notify24.push.key');
    assert.equal(again.body.result.public_key, first.body.result.public_key);
  } finally {
    await second.close();
  }
});

test('a new notification is pushed: the VAPID JWT verifies against the server key and audience, the aes128gcm body decrypts to the notification', async () => {
  const anna = await ts.addUser({ login: 'anna-push', name: 'Anna', lastName: 'Lee' });
  const sender = await ts.addUser({ login: 'sam-push', name: 'Sam', lastName: 'Sender' });
  const browser = await subscribed(anna.hook);
  const key = (await call(ts.hook, 'notify24.push.key')).body.result.public_key;

  const sent = await call(sender.hook, 'im.notify.personal.add', {
    USER_ID: anna.id,
    MESSAGE: 'Build [b]#42[/b] passed: [url=https://ci.example.org/42]details[/url] <&>',
  });
  assert.equal(typeof sent.body.result, 'number', JSON.stringify(sent.body));
  const push = await service.next();
  assert.equal(push.endpoint, browser.endpoint);
  assert.equal(push.vapidKey, key);
  assert.equal(push.claims.aud, service.origin);
  assert.equal(push.claims.sub, 'mailto:ops@example.org');
  assert.ok(push.claims.exp > Date.now() / 1000 && push.claims.exp <= Date.now() / 1000 + 24 * 3600, `exp ${push.claims.exp}`);
  assert.equal(push.headers['content-encoding'], 'aes128gcm');
  assert.equal(push.headers.ttl, '86400');
  assert.equal(push.headers.topic, undefined);
  assert.deepEqual(push.payload, {
    v: 1,
    id: sent.body.result,
    title: 'Sam Sender',
    body: 'Build #42 passed: details <&>',
    url: `/?notification=${sent.body.result}`,
    tag: `notify24:${sent.body.result}`,
  });
  assert.equal(service.problems.length, 0);
  await until(async () => (await call(anna.hook, 'notify24.push.list')).body.result[0]?.last_success_at !== null, 'last success noted');
});

test('a batch queues a push for each of its sends to a subscribed user, none for one without', async () => {
  const subscriber = await ts.addUser({ login: 'batch-push-sub' });
  const other = await ts.addUser({ login: 'batch-push-none' });
  const browser = await subscribed(subscriber.hook);
  const res = await call(ts.hook, 'batch', {
    cmd: [
      `im.notify.system.add?USER_ID=${other.id}&MESSAGE=none+1`,
      `im.notify.system.add?USER_ID=${subscriber.id}&MESSAGE=one`,
      `im.notify.system.add?USER_ID=${other.id}&MESSAGE=none+2`,
      `im.notify.system.add?USER_ID=${subscriber.id}&MESSAGE=two`,
    ],
  });
  assert.deepEqual(res.body.result.result_error, []);
  const ids = res.body.result.result as number[];
  const pushes = [await service.next(), await service.next()];
  assert.deepEqual(pushes.map((p) => [p.endpoint, p.payload.id]).sort(), [[browser.endpoint, ids[1]], [browser.endpoint, ids[3]]].sort());
  await until(async () => (await ts.server.services.store.webPush.pendingCount()) === 0, 'both deliveries done');
  assert.equal(service.pending(), 0);
});

test('the REST answer does not wait for the push service, nor do other users\' pushes; a tag gives the push its tag and Topic', async () => {
  const user = await ts.addUser();
  const browser = await subscribed(user.hook);
  service.answer(browser.endpoint, 'hold');
  // The push service holds its answer: the sender's call is answered all the same.
  const first = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Deploy 1 of 2', TAG: 'deploy', CLIENT_ID: 'ci' });
  assert.equal(typeof first.body.result, 'number');
  const one = await service.next();
  // One push service slow to answer holds up nobody else's pushes.
  const other = await ts.addUser();
  const otherBrowser = await subscribed(other.hook);
  await call(ts.hook, 'im.notify.system.add', { USER_ID: other.id, MESSAGE: 'not held up' });
  assert.equal((await service.next()).endpoint, otherBrowser.endpoint);
  const second = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Deploy 2 of 2', TAG: 'deploy', CLIENT_ID: 'ci' });
  assert.equal(typeof second.body.result, 'number');
  service.release();
  const two = await service.next();
  assert.equal(one.payload.tag, two.payload.tag);
  assert.match(String(two.payload.tag), /^notify24:.+deploy/);
  assert.equal(one.headers.topic, two.headers.topic);
  assert.match(String(one.headers.topic), /^[\w-]{32}$/);
  assert.equal(two.payload.body, 'Deploy 2 of 2');
  assert.equal(two.payload.title, 'System', 'a system notification without a title is named as the center names it');
  // In the language the user saved in the center.
  await ts.server.services.store.preferences.set(user.id, { theme: 'auto', language: 'ru' }, Date.now());
  await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Deploy 3' });
  assert.equal((await service.next()).payload.title, 'Система');
});

test('410 and 404 from the push service remove the subscription', async () => {
  const user = await ts.addUser();
  const gone = await subscribed(user.hook, 'Old phone');
  const missing = await subscribed(user.hook, 'Old laptop');
  const kept = await subscribed(user.hook, 'Laptop');
  service.answer(gone.endpoint, { status: 410 });
  service.answer(missing.endpoint, { status: 404 });
  await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'to every device' });
  const endpoints = new Set([(await service.next()).endpoint, (await service.next()).endpoint, (await service.next()).endpoint]);
  assert.deepEqual(endpoints, new Set([gone.endpoint, missing.endpoint, kept.endpoint]));
  await until(async () => (await call(user.hook, 'notify24.push.list')).body.result.length === 1, 'dead subscriptions removed');
  const list = (await call(user.hook, 'notify24.push.list')).body.result;
  assert.deepEqual(list.map((s: { user_agent: string }) => s.user_agent), ['Laptop']);
});

test('a failing push service is retried with back-off, then given up; one device failing does not repeat the push to another', async () => {
  const user = await ts.addUser();
  const flaky = await subscribed(user.hook, 'flaky');
  const fine = await subscribed(user.hook, 'fine');
  let done = await attempts();
  service.answer(flaky.endpoint, { status: 503, headers: { 'Retry-After': '120' } }, { status: 500 });
  const sent = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'retry me' });
  const firstTwo = [await service.next(), await service.next()].map((p) => p.endpoint);
  assert.deepEqual(new Set(firstTwo), new Set([flaky.endpoint, fine.endpoint]));
  done = await settled(done, 2);
  const errorsSeen = (await call(user.hook, 'notify24.push.list')).body.result.map((s: { last_error: string }) => s.last_error);
  assert.deepEqual(errorsSeen.sort(), ['', 'HTTP 503']);
  // Retry-After (120 s) is longer than the first back-off step: not due before it.
  clock.advance(119_000);
  wakePush();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(service.pending(), 0);
  clock.advance(2_000);
  wakePush();
  const retry = await service.next();
  assert.equal(retry.endpoint, flaky.endpoint);
  assert.equal(retry.payload.id, sent.body.result);
  done = await settled(done, 1);
  // The second failure (500) waits one more back-off step; then it works, once, to that device only.
  clock.advance(60_000);
  wakePush();
  assert.equal((await service.next()).endpoint, flaky.endpoint);
  done = await settled(done, 1);
  assert.equal(service.pending(), 0);
  assert.ok((await call(user.hook, 'notify24.push.list')).body.result.every((s: { last_error: string }) => s.last_error === ''));

  // A push service that keeps failing is given up after MAX_ATTEMPTS attempts.
  service.answer(flaky.endpoint, ...Array.from({ length: MAX_ATTEMPTS }, () => ({ status: 502 })));
  await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'give up' });
  const seen = [await service.next(), await service.next()];
  assert.deepEqual(new Set(seen.map((p) => p.endpoint)), new Set([flaky.endpoint, fine.endpoint]));
  done = await settled(done, 2);
  for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
    clock.advance(3_600_000);
    wakePush();
    assert.equal((await service.next()).endpoint, flaky.endpoint);
    done = await settled(done, 1);
  }
  assert.equal(await ts.server.services.store.webPush.pendingCount(), 0);
  assert.equal((await scrape(`${ts.url}/metrics`)).value('notify24_web_push_attempts_total', { outcome: 'failed' }), 1);
});

test('a notification read or deleted before its push is due is not pushed', async () => {
  const user = await ts.addUser();
  const browser = await subscribed(user.hook);
  service.answer(browser.endpoint, { status: 503 }, { status: 503 });
  let done = await attempts();
  const read = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'read me first' });
  await service.next();
  const deleted = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'delete me first' });
  await service.next();
  done = await settled(done, 2);
  await call(user.hook, 'im.notify.read', { ID: read.body.result, ONLY_CURRENT: 'Y' });
  await call(user.hook, 'im.notify.delete', { ID: deleted.body.result });
  clock.advance(3_600_000);
  wakePush();
  await settled(done, 2);
  assert.equal(await ts.server.services.store.webPush.pendingCount(), 0);
  assert.equal(service.pending(), 0);
});

test('notify24.push.subscribe checks the subscription; unsubscribe and list are per user; a browser changing hands moves', async () => {
  const a = await ts.addUser();
  const b = await ts.addUser();
  const browser = service.browser();
  const bad = async (subscription: unknown) => {
    const r = await call(a.hook, 'notify24.push.subscribe', { SUBSCRIPTION: subscription });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error, 'PUSH_SUBSCRIPTION_ERROR');
    return r.body.error_description as string;
  };
  assert.match(await bad(undefined), /SUBSCRIPTION/);
  assert.match(await bad({ endpoint: 'not a url', keys: browser.json.keys }), /endpoint/);
  assert.match(await bad({ endpoint: browser.endpoint, keys: { ...browser.json.keys, auth: 'AAAA' } }), /auth must be 16 bytes/);
  const offCurve = Buffer.alloc(65, 1);
  offCurve[0] = 4;
  assert.match(await bad({ endpoint: browser.endpoint, keys: { ...browser.json.keys, p256dh: offCurve.toString('base64url') } }), /P-256/);
  // Real push services are https; plain http only when the setting allows (this server's does).
  assert.throws(() => parseSubscription(browser.json, { pushInsecureEndpoints: false }), /endpoint must be an https URL/);
  assert.equal(parseSubscription({ ...browser.json, endpoint: 'https://push.example.org/x' }, { pushInsecureEndpoints: false }).endpoint, 'https://push.example.org/x');

  // As JSON text, as the page's JSON.stringify(subscription) gives it.
  const made = await call(a.hook, 'notify24.push.subscribe', { SUBSCRIPTION: JSON.stringify(browser.json), USER_AGENT: 'Firefox' });
  assert.equal(made.body.result.user_id, a.id);
  assert.equal(made.body.result.endpoint, browser.endpoint);
  assert.equal(made.body.result.keys, undefined);
  assert.match(made.body.result.created_at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual((await call(b.hook, 'notify24.push.list')).body.result, []);
  assert.equal((await call(b.hook, 'notify24.push.unsubscribe', { ENDPOINT: browser.endpoint })).body.result, false);
  assert.equal((await call(a.hook, 'notify24.push.list')).body.result.length, 1);

  // Another user signs in on that browser and switches push on: the subscription is theirs now.
  await call(b.hook, 'notify24.push.subscribe', { SUBSCRIPTION: browser.json });
  assert.deepEqual((await call(a.hook, 'notify24.push.list')).body.result, []);
  await call(ts.hook, 'im.notify.system.add', { USER_ID: a.id, MESSAGE: 'not for this browser any more' });
  await call(ts.hook, 'im.notify.system.add', { USER_ID: b.id, MESSAGE: 'for b' });
  assert.equal((await service.next()).payload.body, 'for b');

  const noEndpoint = await call(b.hook, 'notify24.push.unsubscribe', {});
  assert.deepEqual([noEndpoint.status, noEndpoint.body.error], [400, 'ERROR_ARGUMENT']);
  assert.equal((await call(b.hook, 'notify24.push.unsubscribe', { SUBSCRIPTION: browser.json })).body.result, true);
  assert.deepEqual((await call(b.hook, 'notify24.push.list')).body.result, []);
  const methods = (await call(ts.hook, 'methods', { scope: 'im' })).body.result as string[];
  for (const m of ['notify24.push.key', 'notify24.push.subscribe', 'notify24.push.unsubscribe', 'notify24.push.list']) assert.ok(methods.includes(m), m);
});

test('a type whose push is switched off is not pushed; the default set by an administrator counts until the user overrides it', async () => {
  const user = await ts.addUser();
  const browser = await subscribed(user.hook);
  let done = await attempts();
  const off = await call(user.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { push: 'N' } } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'switched off' });
  done = await settled(done, 1);
  assert.equal(service.pending(), 0);
  assert.equal((await scrape(`${ts.url}/metrics`)).value('notify24_web_push_attempts_total', { outcome: 'off' }) >= 1, true);

  // Back to the default, which an administrator switches off for everyone.
  await call(user.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { push: '' } } });
  const defaults = await call(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'rest|rest_notify': { push: 'N' } } });
  assert.equal(defaults.status, 200, JSON.stringify(defaults.body));
  try {
    await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'off by default' });
    done = await settled(done, 1);
    assert.equal(service.pending(), 0);
    // The user's own switch wins over the default.
    await call(user.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { push: 'Y' } } });
    await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'on for me' });
    const push = await service.next();
    assert.deepEqual([push.endpoint, push.payload.body], [browser.endpoint, 'on for me']);
  } finally {
    await call(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'rest|rest_notify': { push: '' } } });
  }
});

test('do not disturb holds a push until it is switched off; what was read meanwhile stays unpushed', async () => {
  const user = await ts.addUser();
  const browser = await subscribed(user.hook);
  let done = await attempts();
  await call(user.hook, 'notify24.settings.set', { DND: 'Y' });
  const held = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'while away' });
  const readMeanwhile = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'read on another device' });
  done = await settled(done, 2);
  // Looked at again later: still held, no attempt used up.
  clock.advance(61_000);
  wakePush();
  done = await settled(done, 2);
  assert.equal(service.pending(), 0);
  assert.equal(await ts.server.services.store.webPush.pendingCount(), 2);
  assert.equal((await scrape(`${ts.url}/metrics`)).value('notify24_web_push_pending'), 2);

  await call(user.hook, 'im.notify.read', { ID: readMeanwhile.body.result, ONLY_CURRENT: 'Y' });
  await call(user.hook, 'notify24.settings.set', { DND: 'N' });
  clock.advance(61_000);
  wakePush();
  const push = await service.next();
  assert.deepEqual([push.endpoint, push.payload.id, push.payload.body], [browser.endpoint, held.body.result, 'while away']);
  await settled(done, 2);
  assert.equal(service.pending(), 0);
  assert.equal(await ts.server.services.store.webPush.pendingCount(), 0);
});

test('quiet hours hold a push until the window ends in the user\u2019s time zone', async () => {
  const user = await ts.addUser({ timeZone: 'UTC' });
  const browser = await subscribed(user.hook);
  let done = await attempts();
  // A window from now (UTC) to three hours later.
  const at = new Date(clock.now());
  const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const from = hhmm(at);
  const to = hhmm(new Date(clock.now() + 3 * 3_600_000));
  const set = await call(user.hook, 'notify24.settings.set', { QUIET_HOURS: { FROM: from, TO: to } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const sent = await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'after the quiet hours' });
  done = await settled(done, 1);
  clock.advance(3_600_000);
  wakePush();
  done = await settled(done, 1);
  assert.equal(service.pending(), 0);
  clock.advance(2 * 3_600_000 + 60_000);
  wakePush();
  const push = await service.next();
  assert.deepEqual([push.endpoint, push.payload.id], [browser.endpoint, sent.body.result]);
  await call(user.hook, 'notify24.settings.set', { QUIET_HOURS: '' });
});

test('two nodes on one database push each notification once', async () => {
  const user = await ts.addUser();
  const browser = await subscribed(user.hook);
  const second = await startServer({ ...ts.config, port: 0, httpsPort: null }, { clock, log: createLogger('silent') });
  try {
    const jobs = [ts.server.services.jobs, second.services.jobs];
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: `twice? ${i}` })));
    // Both nodes look for due pushes at once (the first is also woken by its own sends).
    await Promise.all(jobs.map((j) => j.runNow(WEB_PUSH)));
    await Promise.all(jobs.map((j) => j.runNow(WEB_PUSH)));
    const ids: unknown[] = [];
    while (service.pending() > 0) {
      const push = await service.next();
      assert.equal(push.endpoint, browser.endpoint);
      ids.push(push.payload.id);
    }
    assert.deepEqual(ids.sort(), sent.map((r) => r.body.result).sort());
    assert.equal(await ts.server.services.store.webPush.pendingCount(), 0);
  } finally {
    await second.close();
  }
});

test('a user keeps at most 20 subscribed browsers: the 21st forgets the oldest', async () => {
  const user = await ts.addUser();
  const browsers = [];
  for (let i = 0; i < 21; i++) browsers.push(await subscribed(user.hook, `device ${i}`));
  const list = (await call(user.hook, 'notify24.push.list')).body.result as { user_agent: string }[];
  assert.equal(list.length, 20);
  assert.equal(list[0]!.user_agent, 'device 20');
  assert.ok(!list.some((s) => s.user_agent === 'device 0'));
});

test('an endpoint on a network NOTIFY24_HANDLER_NETWORKS does not allow is never connected to: refused and given up', async () => {
  const user = await ts.addUser();
  // Link-local is where cloud metadata services live; this server allows public, private and loopback.
  const made = await call(user.hook, 'notify24.push.subscribe', { SUBSCRIPTION: { ...service.browser().json, endpoint: 'http://169.254.169.254/latest/meta-data' } });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const done = await attempts();
  await call(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'to the metadata service?' });
  await settled(done, 1);
  const [sub] = (await call(user.hook, 'notify24.push.list')).body.result;
  assert.match(sub.last_error, /^refused: 169\.254\.169\.254 is on a link-local address/);
  assert.equal(await ts.server.services.store.webPush.pendingCount(), 0);
  assert.equal(service.pending(), 0);
});
