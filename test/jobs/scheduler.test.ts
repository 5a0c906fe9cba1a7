import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler, type Job } from '../../src/jobs/scheduler.ts';
import { hashSecret } from '../../src/lib/secrets.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startTestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';

/** Waits for `ok()` (a lost run would hang the test forever: fail it instead; not a timing check). */
async function until(ok: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(5);
  }
}

const quiet = { warn: () => undefined };

test('a job runs at start, then again only when woken; a wake during a run runs it once more after', async () => {
  const scheduler = new Scheduler(quiet);
  let runs = 0;
  let running = 0;
  let overlapped = false;
  let release: (() => void) | null = null;
  const job: Job = {
    name: 'counted',
    everyMs: 3_600_000,
    run: async () => {
      runs++;
      if (++running > 1) overlapped = true;
      if (runs === 2) await new Promise<void>((r) => (release = r));
      running--;
    },
  };
  scheduler.start([job]);
  await until(() => runs === 1 && running === 0, 'the run at start');
  scheduler.wake('counted');
  await until(() => release !== null, 'the woken run');
  scheduler.wake('counted');
  scheduler.wake('counted');
  release!();
  await until(() => runs === 3 && running === 0, 'one more run after the wakes during the run');
  await sleep(50);
  assert.equal(runs, 3, 'two wakes during a run coalesce into one');
  assert.equal(overlapped, false);
  await scheduler.stop();
});

test('a failing run is logged and the job keeps its schedule; stop aborts runs in flight and waits for them', async () => {
  const warnings: string[] = [];
  const scheduler = new Scheduler({ warn: (msg) => warnings.push(msg) });
  let fails = 0;
  let aborted = false;
  let started = false;
  scheduler.start([
    { name: 'flaky', everyMs: 10, run: async () => { fails++; throw new Error('store away'); } },
    {
      name: 'slow',
      everyMs: 3_600_000,
      run: (signal) => new Promise<void>((resolve) => {
        started = true;
        signal.addEventListener('abort', () => { aborted = true; resolve(); });
      }),
    },
  ]);
  await until(() => fails >= 3 && started, 'repeated failing runs and the slow run');
  assert.match(warnings[0]!, /^job flaky failed: store away$/);
  await scheduler.stop();
  assert.equal(aborted, true);
  const after = fails;
  await sleep(50);
  assert.equal(fails, after, 'nothing runs after stop');
  assert.throws(() => new Scheduler(quiet).start([{ name: 'x', everyMs: 1, run: async () => 0 }, { name: 'x', everyMs: 1, run: async () => 0 }]), /twice/);
});

test('the session purge job runs on its interval setting and deletes expired sessions', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ sessionIdleMs: 3_600_000, sessionPurgeMs: 20 }, { clock });
  try {
    await ts.addUser({ login: 'purged', password: 'purged-secret-1' });
    const who = await webLogin(ts, 'purged', 'purged-secret-1');
    const hash = hashSecret(who.cookie.split('=')[1]!);
    const stored = () => ts.server.services.store.sessions.byTokenHash(hash, 0);
    assert.ok(await stored(), 'the session is stored');
    clock.advance(2 * 3_600_000);
    await until(async () => (await stored()) === null, 'the expired session purged by the job');
  } finally {
    await ts.close();
  }
});
