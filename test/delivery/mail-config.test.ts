/**
 * E-mail when SMTP is missing, wrong or away, and across a restart: never a crash, never a lost
 * notification, and the outbox always says what happened (with the mail it rendered).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startServer } from '../../src/server.ts';
import { createLogger } from '../../src/lib/log.ts';
import { MAIL_OUTBOX } from '../../src/jobs/jobs.ts';
import { ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestSchema } from '../helpers/services.ts';
import { startSmtp } from '../helpers/smtp.ts';

const DELAY_MS = 600_000;

async function queueOne(ts: TestServer, message: string) {
  const user = await ts.addUser({ login: `cfg-${Math.random().toString(36).slice(2)}`, email: 'someone@example.test' });
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: message });
  return { user, id: Number(id) };
}

test('without NOTIFY24_SMTP_URL nothing is sent; the outbox keeps each mail rendered', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ mailPollMs: 3_600_000 }, { clock });
  try {
    const { user, id } = await queueOne(ts, 'Only [b]rendered[/b]');
    clock.advance(DELAY_MS);
    await ts.server.services.jobs.runNow(MAIL_OUTBOX);
    const [item] = await ts.server.services.store.mailOutbox.list({ userId: user.id, limit: 10 });
    assert.deepEqual([item!.state, item!.notificationId, item!.lastError], ['captured', id, 'not sent: NOTIFY24_SMTP_URL is not set']);
    const mail = await ts.server.services.store.mailOutbox.message(item!.mailId!);
    assert.equal(mail!.subject, 'Only rendered');
    assert.match(mail!.html, /Only <b>rendered<\/b>/);
    assert.equal(mail!.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  } finally {
    await ts.close();
  }
});

test('an unusable NOTIFY24_SMTP_URL: a clear log line at start (password hidden), the server serves, each mail is marked failed', async () => {
  const lines: string[] = [];
  const clock = new ManualClock();
  const ts = await startTestServer({ smtpUrl: 'smtp//mailer:Secret-Pass@mail.example.test', mailPollMs: 3_600_000 }, { clock, log: createLogger('info', { write: (l) => lines.push(l) }) });
  try {
    const line = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /NOTIFY24_SMTP_URL/.test(l.msg));
    assert.ok(line, lines.join(''));
    assert.match(line.msg, /is not an smtp:\/\/ or smtps:\/\/ URL/);
    assert.equal(lines.join('').includes('Secret-Pass'), false, 'the password is not logged');
    const { user, id } = await queueOne(ts, 'kept despite the bad setting');
    clock.advance(DELAY_MS);
    await ts.server.services.jobs.runNow(MAIL_OUTBOX);
    const [item] = await ts.server.services.store.mailOutbox.list({ userId: user.id, limit: 10 });
    assert.equal(item!.state, 'failed');
    assert.match(item!.lastError, /NOTIFY24_SMTP_URL/);
    assert.ok(item!.mailId, 'the mail is rendered all the same');
    const page = await ok(user.hook, 'im.notify.get');
    assert.deepEqual(page.notifications.map((n: { id: number }) => n.id), [id], 'the notification is not lost');
  } finally {
    await ts.close();
  }
});

test('SMTP unreachable when sending: the mail waits for its retry with the reason, nothing crashes', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const clock = new ManualClock();
  const ts = await startTestServer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailPollMs: 3_600_000 }, { clock });
  try {
    const { user } = await queueOne(ts, 'nobody listens');
    clock.advance(DELAY_MS);
    await ts.server.services.jobs.runNow(MAIL_OUTBOX);
    const [item] = await ts.server.services.store.mailOutbox.list({ userId: user.id, limit: 10 });
    assert.deepEqual([item!.state, item!.attempts], ['queued', 1]);
    assert.match(item!.lastError, /ECONNREFUSED/);
    assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
  } finally {
    await ts.close();
  }
});

test('a restart with mails due: the next server on the same database sends them at its start', async () => {
  const smtp = await startSmtp();
  const schema = process.env.NOTIFY24_TEST_STORE === 'postgres' ? await createTestSchema() : null;
  const dir = mkdtempSync(join(tmpdir(), 'notify24-mail-restart-'));
  const databaseUrl = schema ? schema.url : join(dir, 'n.db');
  const clock = new ManualClock();
  try {
    const first = await startTestServer({ databaseUrl, smtpUrl: smtp.url, mailPollMs: 3_600_000 }, { clock });
    const { user } = await queueOne(first, 'survives a restart');
    await first.close();
    clock.advance(DELAY_MS);
    // Every job runs once at start: the due mail goes without waiting for the interval.
    // (started directly: the test helper would create the administrator again)
    const second = await startServer(
      defaultConfig({ dataDir: dir, databaseUrl, host: '127.0.0.1', port: 0, httpsPort: null, logLevel: 'silent', smtpUrl: smtp.url, mailPollMs: 3_600_000 }),
      { clock, log: createLogger('silent') },
    );
    try {
      assert.equal((await smtp.mails.next()).subject, 'survives a restart');
      await second.services.jobs.runNow(MAIL_OUTBOX);
      assert.equal(smtp.mails.pending, 0);
      const [item] = await second.services.store.mailOutbox.list({ userId: user.id, limit: 10 });
      assert.equal(item!.state, 'sent');
    } finally {
      await second.close();
    }
  } finally {
    await smtp.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
