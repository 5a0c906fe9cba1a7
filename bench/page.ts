/**
 * `npm run bench:page`: what one `im.notify.get` answer (first page, 50 items) and one
 * `im.notify.read` (one id) cost inside the process, without HTTP — the store, the formatting
 * and the bytes of the answer as the edge writes them — on a SQLite file holding the bench's 1k notifications
 * (`--seed N` for another size). Prints CPU microseconds per answer (`process.cpuUsage`), the
 * best of several rounds, the figure least disturbed by other work on the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/open.ts';
import { LocalPushHub } from '../src/realtime/hub.ts';
import { getPage, markRead, type NotifyDeps } from '../src/notify/service.ts';
import { timeBlock } from '../src/rest/time.ts';
import { envelopeJson } from '../src/rest/json-text.ts';
import { getPageJson } from '../src/notify/page-json.ts';
import { RenderedNotifications } from '../src/notify/rendered.ts';
import type { Store } from '../src/store/port/store.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, rounds: { type: 'string' } } });
const SIZE = Number(values.seed ?? 1000);
const ROUNDS = Number(values.rounds ?? 7);
const OWNER = 1;

/** The bench's bodies (bench/lib/dataset.ts): a line of text with a little BB code. */
const body = (i: number) => `Build #${i} of [b]notify24[/b] finished: ${i % 7 === 0 ? 'failed' : 'passed'} in ${(i % 300) + 20} s`;

async function seeded(dir: string): Promise<Store> {
  const store = await openStore(join(dir, 'notify24.db'));
  const now = Date.now();
  await store.tx(async (s) => {
    await s.notifications.claimChat(OWNER);
    for (let i = 1; i <= SIZE; i++) {
      const id = await s.notifications.insert({
        userId: OWNER, authorId: 0, type: 4, module: 'rest', event: 'rest_notify', tag: '', subTag: '', title: '',
        text: body(i), messageOut: '', buttons: '', params: '', senderClientId: '', tagOwner: '', createdAt: now - (SIZE - i) * 1000,
      });
      if (i % 3 !== 0) await s.notifications.setRead(OWNER, [id], true);
    }
  });
  return store;
}

/** Best CPU microseconds per call of `fn` over ROUNDS rounds of `n` calls. */
async function best(fn: () => unknown, n: number): Promise<number> {
  for (let i = 0; i < Math.min(n, 300); i++) await fn();
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(before);
    min = Math.min(min, (used.user + used.system) / n);
  }
  return min;
}

const dir = mkdtempSync(join(tmpdir(), 'notify24-page-bench-'));
try {
  const store = await seeded(dir);
  const deps: NotifyDeps = { store, clock: { now: () => Date.now() }, hub: new LocalPushHub(), config: { mailDelayS: 600 } };
  // The answer's bytes as the edge writes them: a text is measured (Content-Length) and encoded.
  const envelope = (result: unknown) => {
    const now = Date.now();
    const body = envelopeJson({ result, time: timeBlock(now, now, 0.1, { operating: 0, resetAt: Math.floor(now / 1000) + 600 }) });
    return typeof body === 'string' ? Buffer.byteLength(body) + Buffer.from(body).length : body.length;
  };
  const page = { lastId: null, lastType: null, limit: 50 };
  let readId = 0;
  const rendered = new RenderedNotifications(true);
  const unkept = new RenderedNotifications(false);
  const rows: [string, () => unknown][] = [
    ['im.notify.get: objects, JSON.stringify', async () => envelope(await getPage(store, OWNER, page))],
    ['im.notify.get: JSON text, rendered rows kept', async () => envelope(await getPageJson(store, OWNER, page, rendered))],
    ['im.notify.get: JSON text, nothing kept', async () => envelope(await getPageJson(store, OWNER, page, unkept))],
    ['im.notify.read: one id (store and push)', () => markRead(deps, OWNER, [(readId++ % SIZE) + 1], true)],
    ['im.notify.read: one id, read then unread', () => markRead(deps, OWNER, [SIZE - 1], readId++ % 2 === 0)],
  ];
  console.log(`${SIZE} notifications stored; CPU µs per answer, best of ${ROUNDS} rounds`);
  for (const [name, fn] of rows) console.log(`${name.padEnd(44)} ${(await best(fn, 2000)).toFixed(1).padStart(8)}`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
