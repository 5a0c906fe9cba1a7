/**
 * E-mail for unread notifications, end to end: the real server queues, a real SMTP server
 * (smtp-server, its own listener) receives, mailparser reads what arrived. Time is moved with
 * the server's clock, and the e-mail job is run on demand instead of waiting for its interval.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { ManualClock } from '../../src/lib/clock.ts';
import { MAIL_OUTBOX } from '../../src/jobs/jobs.ts';
import { call, ok, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startSmtp, type TestSmtp } from '../helpers/smtp.ts';
import { scrape } from '../helpers/metrics.ts';

const DELAY_S = 600;
const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
let ts: TestServer;
let smtp: TestSmtp;

before(async () => {
  smtp = await startSmtp({ user: 'mailer', password: 'p@ss word' });
  // The job's own interval is long: each test runs it when it wants to.
  ts = await startTestServer({ smtpUrl: smtp.url, mailFrom: 'Alerts <alerts@example.test>', mailPollMs: 3_600_000, mailRetryBaseMs: 60_000, mailMaxAttempts: 3, webhookTagsWithClientId: true }, { clock });
});
after(async () => {
  await ts.close();
  await smtp.close();
});

const sweep = () => ts.server.services.jobs.runNow(MAIL_OUTBOX);
const outbox = (userId: number) => ts.server.services.store.mailOutbox.list({ userId, limit: 100 });

async function mailedUser(login: string) {
  return ts.addUser({ login, name: 'Ann', lastName: 'Lee', email: `${login}@example.test` });
}

async function notify(userId: number, fields: Record<string, unknown>): Promise<number> {
  return ok(ts.hook, 'im.notify.system.add', { USER_ID: userId, ...fields });
}

/** Runs the job after the delay and expects nothing new for anyone. */
async function assertNothingMailed(): Promise<void> {
  await sweep();
  assert.equal(smtp.mails.pending, 0, 'no mail expected');
}

test('an unread notification is mailed once the delay is over, never before; MESSAGE_OUT without BB codes, HTML, link, unsubscribe headers', async () => {
  const user = await mailedUser('mail-delay');
  const id = await notify(user.id, { MESSAGE: 'in the [b]center[/b]', MESSAGE_OUT: 'Invoice [b]#42[/b] is due#BR#Pay by [url=https://pay.example.test/42]Friday[/url]' });
  clock.advance((DELAY_S - 1) * 1000);
  await assertNothingMailed();
  assert.equal((await outbox(user.id))[0]!.state, 'queued');
  clock.advance(1000);
  await sweep();
  const mail = await smtp.mails.next();
  assert.deepEqual(mail.from?.value.map((a) => [a.name, a.address]), [['Alerts', 'alerts@example.test']]);
  assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [], ['mail-delay@example.test']);
  assert.equal(mail.subject, 'Invoice #42 is due');
  assert.match(mail.text!, /Invoice #42 is due\nPay by Friday/);
  assert.doesNotMatch(mail.text!, /\[b\]|\[url|#BR#|center/);
  assert.match(String(mail.html), /Invoice <b>#42<\/b> is due<br \/>Pay by <a href="https:\/\/pay\.example\.test\/42"[^>]*>Friday<\/a>/);
  assert.match(String(mail.html), new RegExp(`href="${ts.url}/\\?notification=${id}"`));
  assert.match(mail.text!, new RegExp(`${ts.url}/\\?notification=${id}`));
  assert.equal(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  assert.match(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line, /<http:\/\/127\.0\.0\.1:\d+\/mail\/unsubscribe\?u=\d+&t=rest%7Crest_notify&s=[0-9a-f]{64}>/);
  const [item] = await outbox(user.id);
  assert.equal(item!.state, 'sent');
  assert.equal(item!.attempts, 1);
  await assertNothingMailed();
});

test('several due for one user go out as one digest; without MESSAGE_OUT the message and a text rendering of its attachment', async () => {
  const user = await mailedUser('mail-digest');
  const other = await mailedUser('mail-digest-other');
  await notify(user.id, { MESSAGE: 'Build [i]failed[/i]' });
  clock.advance(5_000);
  await notify(user.id, {
    MESSAGE: 'Deploy waiting',
    ATTACH: [{ MESSAGE: 'Stage [b]two[/b]' }, { GRID: [{ NAME: 'Branch', VALUE: 'main' }] }, { LINK: { NAME: 'Pipeline', LINK: 'https://ci.example.test/7' } }],
  });
  await notify(other.id, { MESSAGE: 'For someone else' });
  clock.advance(DELAY_S * 1000);
  await sweep();
  const mails = [await smtp.mails.next(), await smtp.mails.next()];
  assert.equal(smtp.mails.pending, 0);
  const digest = mails.find((m) => m.subject === '2 new notifications')!;
  assert.ok(digest, mails.map((m) => m.subject).join(', '));
  assert.match(digest.text!, /Build failed/);
  assert.match(digest.text!, /Deploy waiting\n\nStage two\nBranch: main\nPipeline: https:\/\/ci\.example\.test\/7/);
  assert.match(String(digest.html), /Build <i>failed<\/i>/);
  assert.equal(mails.find((m) => m !== digest)!.subject, 'For someone else');
  const items = await outbox(user.id);
  assert.deepEqual(items.map((i) => i.state), ['sent', 'sent']);
  assert.equal(items[0]!.mailId, items[1]!.mailId, 'one mail for both');
});

test('a user who chose Russian in the center gets the mail in Russian (plural forms, the system as author)', async () => {
  const user = await mailedUser('mail-russian');
  await ts.server.services.store.preferences.set(user.id, { theme: 'auto', language: 'ru' }, clock.now());
  for (const n of [1, 2, 3]) await notify(user.id, { MESSAGE: `Сборка ${n}` });
  clock.advance(DELAY_S * 1000);
  await sweep();
  const mail: ParsedMail = await smtp.mails.next();
  assert.equal(mail.subject, '3 новых уведомления');
  assert.match(mail.text!, /^Вас ждут 3 уведомления\.\n\nСистема:\nСборка 1\n\nОткрыть: http:\/\/\S+\?notification=\d+\n/);
  assert.match(mail.text!, /\nЭто письмо пришло, потому что уведомления остались непрочитанными\. Отписаться от этих писем: http:\/\/\S+\/mail\/unsubscribe\?/);
  assert.match(String(mail.html), /^<!doctype html><html lang="ru">.*>Открыть в центре уведомлений<\/a>/s);
});

test('e-mail switched off for the type, #SKIP#, no address: nothing mailed, and the outbox says why', async () => {
  const off = await mailedUser('mail-off');
  await ok(off.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { email: 'N' } } });
  await notify(off.id, { MESSAGE: 'not by mail' });
  const skip = await mailedUser('mail-skip');
  await notify(skip.id, { MESSAGE: 'skip it', MESSAGE_OUT: '#SKIP#' });
  const noAddress = await ts.addUser({ login: 'mail-none', email: '' });
  await ok(noAddress.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { email: 'Y' } } });
  await notify(noAddress.id, { MESSAGE: 'nowhere to send' });
  // The administrator's default off, the user's own switch back on: mailed.
  await ok(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'rest|rest_notify': { email: 'N' } } });
  const optedIn = await mailedUser('mail-opted-in');
  await ok(optedIn.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { email: 'Y' } } });
  await notify(optedIn.id, { MESSAGE: 'wanted by mail' });
  clock.advance(DELAY_S * 1000);
  await sweep();
  assert.equal((await smtp.mails.next()).subject, 'wanted by mail');
  assert.equal(smtp.mails.pending, 0);
  await ok(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'rest|rest_notify': { email: '' } } });
  assert.deepEqual((await outbox(off.id)).map((i) => [i.state, i.lastError]), [['cancelled', 'e-mail is switched off for rest|rest_notify']]);
  assert.deepEqual(await outbox(skip.id), [], '#SKIP# queues nothing');
  assert.deepEqual((await outbox(noAddress.id)).map((i) => [i.state, i.lastError]), [['cancelled', 'no e-mail address in the user profile']]);
});

test('read or deleted before the delay: cancelled at once, never mailed', async () => {
  const user = await mailedUser('mail-cancel');
  const read = await notify(user.id, { MESSAGE: 'read it' });
  const gone = await notify(user.id, { MESSAGE: 'delete it' });
  const kept = await notify(user.id, { MESSAGE: 'leave it' });
  await ok(user.hook, 'im.notify.read', { ID: read, ONLY_CURRENT: 'Y' });
  await ok(user.hook, 'im.notify.delete', { ID: gone });
  const states = Object.fromEntries((await outbox(user.id)).map((i) => [i.notificationId, i.state]));
  assert.deepEqual(states, { [read]: 'cancelled', [gone]: 'cancelled', [kept]: 'queued' });
  clock.advance(DELAY_S * 1000);
  await sweep();
  const mail = await smtp.mails.next();
  assert.equal(mail.subject, 'leave it');
  assert.equal(smtp.mails.pending, 0);
  // im.notify.read.all cancels too.
  const later = await notify(user.id, { MESSAGE: 'read with all the others' });
  await ok(user.hook, 'im.notify.read.all');
  assert.equal((await outbox(user.id)).find((i) => i.notificationId === later)!.state, 'cancelled');
});

test('a read naming another user\'s notification cancels only the reader\'s own mail; a tag replacement cancels the replaced one', async () => {
  const reader = await mailedUser('mail-cancel-reader');
  const other = await mailedUser('mail-cancel-other');
  const own = await notify(reader.id, { MESSAGE: 'mine' });
  const theirs = await notify(other.id, { MESSAGE: 'theirs' });
  await ok(reader.hook, 'im.notify.read.list', { IDS: [own, theirs], ACTION: 'Y' });
  const state = async (userId: number, id: number) => (await outbox(userId)).find((i) => i.notificationId === id)!.state;
  assert.equal(await state(reader.id, own), 'cancelled');
  assert.equal(await state(other.id, theirs), 'queued', 'another user\'s queued mail is left alone');
  const first = await notify(other.id, { MESSAGE: 'build 1 failed', TAG: 'mail-cancel-build', CLIENT_ID: 'mail-test' });
  const second = await notify(other.id, { MESSAGE: 'build 2 failed', TAG: 'mail-cancel-build', CLIENT_ID: 'mail-test' });
  assert.equal(await state(other.id, first), 'cancelled');
  assert.equal(await state(other.id, second), 'queued');
  assert.equal(await state(other.id, theirs), 'queued');
  // Nothing of this test is left for the next ones to mail.
  await ok(other.hook, 'im.notify.read.all');
});

test('do-not-disturb holds the mail; switched off, it goes at the next run', async () => {
  const user = await mailedUser('mail-dnd');
  await ok(user.hook, 'notify24.settings.set', { DND: 'Y' });
  await notify(user.id, { MESSAGE: 'after the meeting' });
  clock.advance(DELAY_S * 1000);
  await assertNothingMailed();
  const [held] = await outbox(user.id);
  assert.deepEqual([held!.state, held!.lastError], ['queued', 'held: do not disturb']);
  await ok(user.hook, 'notify24.settings.set', { DND: 'N' });
  clock.advance(60_000);
  await sweep();
  assert.equal((await smtp.mails.next()).subject, 'after the meeting');
});

test('the SMTP server refuses: retried after the back-off, then sent once; the metrics count each outcome', async () => {
  const before = await scrape(`${ts.url}/metrics`);
  const counted = (outcome: string, m = before) => m.value('notify24_mail_items_total', { outcome });
  const user = await mailedUser('mail-retry');
  await notify(user.id, { MESSAGE: 'try again' });
  clock.advance(DELAY_S * 1000);
  smtp.refuse(1);
  await assertNothingMailed();
  const [failed] = await outbox(user.id);
  assert.equal(failed!.state, 'queued');
  assert.equal(failed!.attempts, 1);
  assert.match(failed!.lastError, /451/);
  assert.equal(failed!.dueAt, clock.now() + 60_000);
  clock.advance(59_000);
  await assertNothingMailed();
  clock.advance(1_000);
  await sweep();
  assert.equal((await smtp.mails.next()).subject, 'try again');
  const [sent] = await outbox(user.id);
  assert.deepEqual([sent!.state, sent!.attempts], ['sent', 2]);
  // Refused every time: given up after NOTIFY24_MAIL_MAX_ATTEMPTS, kept as failed.
  const unlucky = await mailedUser('mail-given-up');
  await notify(unlucky.id, { MESSAGE: 'never arrives' });
  clock.advance(DELAY_S * 1000);
  smtp.refuse(3);
  for (const wait of [0, 60_000, 120_000]) {
    clock.advance(wait);
    await sweep();
  }
  const [gaveUp] = await outbox(unlucky.id);
  assert.deepEqual([gaveUp!.state, gaveUp!.attempts], ['failed', 3]);
  assert.equal(smtp.mails.pending, 0);
  const now = await scrape(`${ts.url}/metrics`);
  assert.deepEqual(
    ['retry', 'sent', 'failed'].map((o) => counted(o, now) - counted(o)),
    [3, 1, 1], // first user: retry, sent; second: retry, retry, failed
  );
  assert.equal(now.value('notify24_mail_outbox_queued'), (await ts.server.services.store.mailOutbox.list({ state: 'queued', limit: 1000 })).length);
});

test('the one-click unsubscribe link: GET only asks, POST switches that type\'s e-mail off, an altered link is refused', async () => {
  const user = await mailedUser('mail-unsubscribe');
  await notify(user.id, { MESSAGE: 'unsubscribe me' });
  clock.advance(DELAY_S * 1000);
  await sweep();
  const mail: ParsedMail = await smtp.mails.next();
  const link = /<([^>]+)>/.exec(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line)![1]!;
  assert.ok(mail.text!.includes(link), 'the link is in the text too');
  const page = await request(link);
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post"/);
  assert.match(page.text, /<html lang="en">.*<li>Notifications from applications and webhooks<\/li>.*>Unsubscribe<\/button>/s);
  // In the reader's language: the browser's, until the user picks one in the center.
  const russian = await request(link, { headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
  assert.match(russian.text, /<html lang="ru">.*<li>Уведомления от приложений и вебхуков<\/li>.*>Отписаться<\/button>/s);
  assert.equal((await ok(user.hook, 'notify24.settings.get')).settings['rest|rest_notify'].email, true, 'a GET changes nothing');
  const altered = await request(link.replace(/u=\d+/, `u=${user.id + 1}`), { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(altered.status, 400);
  assert.equal(altered.body.error, 'BAD_UNSUBSCRIBE_LINK');
  const done = await request(link, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(done.status, 200);
  const s = await ok(user.hook, 'notify24.settings.get');
  assert.deepEqual(s.overrides, { 'rest|rest_notify': { email: false } });
  await notify(user.id, { MESSAGE: 'no longer mailed' });
  clock.advance(DELAY_S * 1000);
  await assertNothingMailed();
});

test('notify24.settings.set and the REST methods still answer for a type switched off everywhere', async () => {
  const user = await mailedUser('mail-center-off');
  await ok(user.hook, 'notify24.settings.set', { SETTINGS: { 'rest|rest_notify': { center: 'N', email: 'N', push: 'N' } } });
  const id = await notify(user.id, { MESSAGE: 'stored all the same' });
  const page = await ok(user.hook, 'im.notify.get');
  assert.deepEqual(page.notifications.map((n: { id: number }) => n.id), [id]);
  const r = await call(user.hook, 'im.notify.read', { ID: id, ONLY_CURRENT: 'Y' });
  assert.equal(r.status, 200);
});

test('more than 50 due at once: digests of at most 50 notifications each', async () => {
  const user = await mailedUser('mail-many');
  await Promise.all(Array.from({ length: 51 }, (_, i) => notify(user.id, { MESSAGE: `item ${i}` })));
  clock.advance(DELAY_S * 1000);
  await sweep();
  const subjects = [(await smtp.mails.next()).subject, (await smtp.mails.next()).subject];
  assert.equal(subjects[0], '50 new notifications');
  assert.match(subjects[1]!, /^item \d+$/);
  assert.equal(smtp.mails.pending, 0);
});
