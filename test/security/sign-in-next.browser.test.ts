/**
 * The center's own sign-in page follows `?next=` after signing in only to a path on this site:
 * its check (common.js `localPath`) refuses every hostile form the server refuses, and a real
 * sign-in with a tab-split `next` stays here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE_NEXT, LOCAL_NEXT } from '../helpers/hostile-next.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DESKTOP, guard, launchBrowser } from '../web/browser.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'olga', password: 'olga-secret-1' });
});
after(() => ts.close());

test('the sign-in page refuses every hostile `next` and keeps same-site ones', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await page.goto(`${ts.url}/`);
  const judged = await page.evaluate(async ({ values, module }) => {
    const common = await import(module);
    return values.map((v: string) => common.localPath(v) as string | null);
  }, { values: [...HOSTILE_NEXT, ...LOCAL_NEXT.map(([given]) => given)], module: '/web/common.js' });
  const hostile = judged.slice(0, HOSTILE_NEXT.length);
  assert.deepEqual(hostile.filter((v) => v !== null), []);
  assert.deepEqual(judged.slice(HOSTILE_NEXT.length), LOCAL_NEXT.map(([, location]) => location));

  // The attack as a link would deliver it: the page stays on this site after signing in.
  await page.goto(`${ts.url}/?next=${encodeURIComponent('/\t/evil.example/x')}`);
  await page.locator('#login-form input[name=login]').fill('olga');
  await page.locator('#login-form input[name=password]').fill('olga-secret-1');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#center').waitFor({ state: 'visible' });
  assert.equal(new URL(page.url()).origin, ts.url);

  assert.deepEqual(problems, []);
});
