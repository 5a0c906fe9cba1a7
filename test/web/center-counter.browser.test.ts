import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/http.ts';
import { DESKTOP, guard, serverAndBrowser, signInPage } from './browser.ts';

const env = serverAndBrowser();

test('center: the counter follows the count each change carries, through concurrent sends and reads from elsewhere', async (t) => {
  const browser = await env.browser(t);
  if (!browser) return;
  const u = await env.ts.addUser({ login: 'tally', password: 'tally-secret-1' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, env.ts.url, 'tally', 'tally-secret-1');
  await page.locator('#counter[data-count="0"]').waitFor();
  const unread = async () => (await call(u.hook, 'im.counters.get')).body.result.TYPE.NOTIFY as number;

  // Sends at once from another system: every one appears and the counter ends on the stored count.
  const sent = await Promise.all(Array.from({ length: 8 }, (_, i) => call(env.ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `Job ${i} done` })));
  const ids = sent.map((r) => r.body.result as number);
  await page.locator(`#counter[data-count="${await unread()}"]`).waitFor();
  for (const id of ids) await page.locator(`#list li.item.unread[data-id="${id}"]`).waitFor();

  // Reads made elsewhere (another client of the same user) reach the page with their count.
  await Promise.all(ids.slice(0, 3).map((id) => call(u.hook, 'im.notify.read', { ID: id, ONLY_CURRENT: 'Y' })));
  assert.equal(await unread(), 5);
  await page.locator('#counter[data-count="5"]').waitFor();
  await page.locator(`#list li.item:not(.unread)[data-id="${ids[0]}"]`).waitFor();

  // read.all from elsewhere: the push alone brings the counter to 0.
  await call(u.hook, 'im.notify.read.all');
  await page.locator('#counter[data-count="0"]').waitFor();
  assert.equal(await page.locator('#list li.item.unread').count(), 0);

  // A batch's changes are pushed together after its commit and reach the page in one write
  // (several frames in one read): each still counts, and the counter ends on the stored count.
  const fanout = env.ts.server.services.replay.fanout;
  const writesBefore = fanout.writes;
  const batch = await call(env.ts.hook, 'batch', { cmd: ['a', 'b', 'c', 'd'].map((m) => `im.notify.system.add?USER_ID=${u.id}&MESSAGE=${m}`) });
  const batchIds = Object.values(batch.body.result.result as Record<string, number>);
  assert.equal(batchIds.length, 4);
  await page.locator(`#counter[data-count="${await unread()}"]`).waitFor();
  assert.equal(await unread(), 4);
  for (const id of batchIds) await page.locator(`#list li.item.unread[data-id="${id}"]`).waitFor();
  assert.equal(fanout.writes - writesBefore, 1, 'the four changes went to the page in one write');
  assert.deepEqual(problems, []);
  await page.close();
});
