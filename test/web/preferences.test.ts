/**
 * A user's theme and language (/preferences) and the pages rendered with them: the saved
 * language wins over Accept-Language, which wins over English; writes need the sessid.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { addApp, browse } from '../apps/oauth-client.ts';

let ts: TestServer;
let olga: WebLogin;

before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'olga', name: 'Olga', password: 'olga-secret-1' });
  olga = await webLogin(ts, 'olga', 'olga-secret-1');
});
after(() => ts.close());

function save(who: WebLogin | null, body: Record<string, string>, headers: Record<string, string> = {}) {
  return request(`${ts.url}/preferences`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(who ? { Cookie: who.cookie } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

const page = async (path: string, headers: Record<string, string>) => {
  const res = await fetch(`${ts.url}${path}`, { headers, redirect: 'manual' });
  return { res, html: await res.text() };
};

test('preferences: defaults, saved per user, sessid required, unknown values refused', async () => {
  const fresh = await request(`${ts.url}/preferences`, { headers: { Cookie: olga.cookie } });
  assert.equal(fresh.status, 200);
  assert.equal(fresh.body.theme, 'auto');
  assert.equal(fresh.body.language, '');
  assert.deepEqual(fresh.body.languages.map((l: { code: string }) => l.code), ['en', 'ru']);

  assert.equal((await request(`${ts.url}/preferences`)).status, 401);
  const noToken = await save(olga, { theme: 'dark' });
  assert.deepEqual([noToken.status, noToken.body.error], [403, 'session_failed']);
  const badTheme = await save(olga, { theme: 'purple', sessid: olga.sessid });
  assert.deepEqual([badTheme.status, badTheme.body.error], [400, 'BAD_PREFERENCE']);
  const badLang = await save(olga, { language: 'xx', sessid: olga.sessid });
  assert.deepEqual([badLang.status, badLang.body.error], [400, 'BAD_PREFERENCE']);

  const dark = await save(olga, { theme: 'dark' }, { 'X-Bitrix-Csrf-Token': olga.sessid });
  assert.deepEqual([dark.status, dark.body.theme, dark.body.language], [200, 'dark', '']);
  // A field left out keeps its value.
  const ru = await save(olga, { language: 'ru', sessid: olga.sessid });
  assert.deepEqual([ru.body.theme, ru.body.language], ['dark', 'ru']);
  const again = await request(`${ts.url}/preferences`, { headers: { Cookie: olga.cookie } });
  assert.deepEqual([again.body.theme, again.body.language], ['dark', 'ru']);

  // Another user's choices are their own.
  await ts.addUser({ login: 'pavel', password: 'pavel-secret-1' });
  const pavel = await webLogin(ts, 'pavel', 'pavel-secret-1');
  const his = await request(`${ts.url}/preferences`, { headers: { Cookie: pavel.cookie } });
  assert.deepEqual([his.body.theme, his.body.language], ['auto', '']);
});

test('pages: Accept-Language without a session, the saved language and theme with one', async () => {
  const english = await page('/', {});
  assert.match(english.html, /<html lang="en" data-theme="auto">/);
  assert.match(english.html, /<h2 id="login-heading">Sign in<\/h2>/);
  assert.equal(english.res.headers.get('content-language'), 'en');
  assert.match(english.res.headers.get('vary') ?? '', /Accept-Language/);

  const russian = await page('/', { 'Accept-Language': 'ru-RU,ru;q=0.9,en;q=0.8' });
  assert.match(russian.html, /<html lang="ru" data-theme="auto">/);
  assert.match(russian.html, /<h2 id="login-heading">Вход<\/h2>/);
  assert.match(russian.html, /<title>Уведомления · notify24<\/title>/);
  assert.doesNotMatch(russian.html, /\{\{/);

  // The user's saved language beats the browser's; the theme comes along.
  await save(olga, { language: 'ru', theme: 'dark', sessid: olga.sessid });
  const hers = await page('/', { Cookie: olga.cookie, 'Accept-Language': 'en-US' });
  assert.match(hers.html, /<html lang="ru" data-theme="dark">/);
  await save(olga, { language: '', theme: 'light', sessid: olga.sessid });
  const browserChoice = await page('/', { Cookie: olga.cookie, 'Accept-Language': 'en-US' });
  assert.match(browserChoice.html, /<html lang="en" data-theme="light">/);
});

test('the OAuth consent page speaks the user\'s language', async () => {
  const app = await addApp(ts, { name: 'Билд <бот>' });
  await save(olga, { language: 'ru', sessid: olga.sessid });
  const res = await browse(`${ts.url}/oauth/authorize/?client_id=${app.clientId}&state=s`, olga);
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.match(html, /<html lang="ru">/);
  assert.match(html, /<h1>Разрешить «Билд &#60;бот&#62;»\?<\/h1>/);
  assert.match(html, /<code>im<\/code>, <code>user<\/code>/);
  assert.match(html, />Разрешить<\/button><button [^>]*>Отклонить</);
  const unknown = await browse(`${ts.url}/oauth/authorize/?client_id=nope`, null, { headers: { 'Accept-Language': 'ru' } });
  assert.match(await unknown.text(), /<h1>Авторизация не удалась<\/h1>/);
});
