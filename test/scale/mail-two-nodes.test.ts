/**
 * Two notify24 processes on one PostgreSQL schema, both running the e-mail job as often as they
 * can: every due mail is claimed by one of them, so each is sent exactly once. Runs in the
 * PostgreSQL pass of `npm test`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/identity/accounts.ts';
import { openStore } from '../../src/store/open.ts';
import { ok } from '../helpers/http.ts';
import { startNode } from '../helpers/node-process.ts';
import { createTestSchema, needsPostgres } from '../helpers/services.ts';
import { startSmtp } from '../helpers/smtp.ts';

const USERS = 24;

test('two nodes sweeping the same outbox send each mail once', async (t) => {
  if (process.env.NOTIFY24_TEST_STORE !== 'postgres') {
    t.skip('runs in the PostgreSQL pass of npm test (NOTIFY24_TEST_STORE=postgres)');
    return;
  }
  if (!(await needsPostgres(t))) return;
  const schema = await createTestSchema();
  const smtp = await startSmtp();
  const env = {
    NOTIFY24_DATABASE_URL: schema.url,
    NOTIFY24_SMTP_URL: smtp.url,
    // Due at once, and both nodes look for due mails every few milliseconds: they race for every row.
    NOTIFY24_MAIL_DELAY_S: '0',
    NOTIFY24_MAIL_POLL_MS: '5',
  };
  const a = await startNode(env, { expectHook: true });
  const b = await startNode(env);
  const store = await openStore(schema.url);
  try {
    const hooks = [a.hook!, a.hook!.replace(a.url, b.url)];
    const users = [];
    for (let i = 0; i < USERS; i++) users.push(await createUser(store, { login: `two-${i}`, name: `Two ${i}`, email: `two-${i}@example.test` }, Date.now()));
    await Promise.all(users.map((u, i) => ok(hooks[i % 2]!, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `for ${u.login}` })));
    const received: string[] = [];
    for (let i = 0; i < USERS; i++) received.push((await smtp.mails.next()).subject!);
    // A graceful stop lets a send in flight finish: a second copy would have arrived by now.
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(smtp.mails.pending, 0, 'no mail twice');
    assert.deepEqual(received.sort(), users.map((u) => `for ${u.login}`).sort());
    const items = await store.mailOutbox.list({ limit: 1000 });
    assert.equal(items.length, USERS);
    assert.ok(items.every((i) => i.state === 'sent' && i.attempts === 1), JSON.stringify(items.filter((i) => i.state !== 'sent' || i.attempts !== 1)));
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await store.close();
    await smtp.close();
    await schema.drop();
  }
});
