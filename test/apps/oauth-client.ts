/** The application side of OAuth in tests: registering, authorizing, trading codes and tokens. */
import assert from 'node:assert/strict';
import { registerApp, type AppInput } from '../../src/apps/registration.ts';
import { issueCode } from '../../src/apps/tokens.ts';
import type { App } from '../../src/store/port/apps.ts';
import type { OAuthTokens } from '../../src/testing/portal.ts';
import { request, type Reply } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

export interface TestApp {
  app: App;
  clientId: string;
  clientSecret: string;
}

/** The token endpoint's answer. */
export type Tokens = OAuthTokens;

export async function addApp(ts: TestServer, input: Partial<AppInput> = {}): Promise<TestApp> {
  const { app, clientSecret } = await registerApp(
    ts.server.services.store,
    { name: 'Test App', code: 'test.app', scopes: ['im', 'user'], redirectUri: 'https://app.example.com/callback', ...input },
    ts.server.services.clock.now(),
  );
  return { app, clientId: app.clientId, clientSecret };
}

/** POSTs form parameters to /oauth/token/ (`base` picks HTTP or HTTPS). */
export function tokenRequest(base: string, params: Record<string, string>): Promise<Reply> {
  return request(`${base}/oauth/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

export async function exchangeCode(base: string, a: TestApp, code: string): Promise<Tokens> {
  const r = await tokenRequest(base, { grant_type: 'authorization_code', client_id: a.clientId, client_secret: a.clientSecret, code });
  assert.equal(r.status, 200, r.text);
  return r.body as Tokens;
}

export async function refresh(base: string, a: TestApp, refreshToken: string): Promise<Reply> {
  return tokenRequest(base, { grant_type: 'refresh_token', client_id: a.clientId, client_secret: a.clientSecret, refresh_token: refreshToken });
}

/** Tokens for `userId` without the browser (a code issued by a function call, traded over HTTP). */
export async function tokensFor(ts: TestServer, a: TestApp, userId: number, base = ts.url): Promise<Tokens> {
  const code = await issueCode(ts.server.services, a.app, userId);
  return exchangeCode(base, a, code);
}

/** GET without following redirects, with the session cookie. */
export function browse(url: string, login: WebLogin | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (login) headers.set('Cookie', login.cookie);
  return fetch(url, { ...init, headers, redirect: 'manual' });
}

/**
 * The browser part of the code flow: sign in, open /oauth/authorize/, approve on the consent
 * page (its form carries the sessid), and read the code from the redirect to the application.
 */
export async function authorizeInBrowser(ts: TestServer, a: TestApp, login: string, password: string, state = 'st-1'): Promise<{ location: URL; web: WebLogin }> {
  const web = await webLogin(ts, login, password);
  const page = await browse(`${ts.url}/oauth/authorize/?client_id=${encodeURIComponent(a.clientId)}&response_type=code&state=${state}`, web);
  let location: string | null;
  if (page.status === 200) {
    const html = await page.text();
    const sessid = /name="sessid" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(sessid, 'the consent form carries the sessid');
    const post = await browse(`${ts.url}/oauth/authorize/`, web, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: a.clientId, state, sessid, decision: 'allow' }).toString(),
    });
    assert.equal(post.status, 302);
    location = post.headers.get('location');
  } else {
    assert.equal(page.status, 302, 'an approved application goes straight back');
    location = page.headers.get('location');
  }
  assert.ok(location);
  return { location: new URL(location), web };
}
