/**
 * After signing in, a plain form post is sent on to `next` only when it is a path on this site:
 * every browser-normalised form of another site, a scheme, or a value that would break the
 * Location header goes to `/`, with the session still created and the server unharmed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { HOSTILE_NEXT, LOCAL_NEXT } from '../helpers/hostile-next.ts';

let ts: TestServer;

before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'nora', password: 'nora-secret-1' });
});
after(() => ts.close());

function signIn(body: URLSearchParams | string, contentType = 'application/x-www-form-urlencoded') {
  return fetch(`${ts.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, Accept: 'text/html' },
    body: body.toString(),
    redirect: 'manual',
  });
}

test('every hostile `next` becomes `/` (303, session cookie set), never another site or a 500', async () => {
  for (const next of HOSTILE_NEXT) {
    const res = await signIn(new URLSearchParams({ login: 'nora', password: 'nora-secret-1', next }));
    const label = JSON.stringify(next.slice(0, 60));
    assert.equal(res.status, 303, label);
    assert.equal(res.headers.get('location'), '/', label);
    assert.match(res.headers.getSetCookie()[0] ?? '', /^notify24_session=[0-9a-f]{64};/, label);
    await res.body?.cancel();
  }
  assert.equal((await fetch(`${ts.url}/healthz`)).status, 200);
});

test('`next` sent raw in the form body (bytes no URLSearchParams would send) is refused the same way', async () => {
  for (const raw of ['/%0a/evil.example', '/\t/evil.example', '/\r\n/evil.example', '%2F%2Fevil.example']) {
    const res = await signIn(`login=nora&password=nora-secret-1&next=${raw}`);
    assert.deepEqual([res.status, res.headers.get('location')], [303, '/'], JSON.stringify(raw));
  }
  const nested = await signIn('login=nora&password=nora-secret-1&next[]=/x&next[a]=//evil.example');
  assert.deepEqual([nested.status, nested.headers.get('location')], [303, '/']);
});

test('a same-site `next` is kept, re-encoded where a header needs it', async () => {
  for (const [next, location] of LOCAL_NEXT) {
    const res = await signIn(new URLSearchParams({ login: 'nora', password: 'nora-secret-1', next }));
    assert.deepEqual([res.status, res.headers.get('location')], [303, location], JSON.stringify(next));
  }
});

test('a JSON sign-in (no HTML wanted) ignores `next` whatever it holds', async () => {
  const res = await fetch(`${ts.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: 'nora', password: 'nora-secret-1', next: '/x\r\nSet-Cookie: a=b' }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('location'), null);
});
