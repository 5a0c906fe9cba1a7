/** Signing in to the web page as a browser does, for tests that need a session. */
import type { TestServer } from './server.ts';

export interface WebLogin {
  userId: number;
  sessid: string;
  /** `name=value` for the Cookie header. */
  cookie: string;
}

/** Signs in through the login form, as a browser does, and reads the session's sessid. */
export async function webLogin(ts: Pick<TestServer, 'url'>, login: string, password: string): Promise<WebLogin> {
  const res = await fetch(`${ts.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password }).toString(),
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error(`login failed: HTTP ${res.status}`);
  const session = await fetch(`${ts.url}/session`, { headers: { Cookie: cookie } });
  const body = (await session.json()) as { user_id: number; sessid: string };
  return { userId: Number(body.user_id), sessid: body.sessid, cookie };
}
