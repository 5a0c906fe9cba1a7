import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ASSETS } from '../../src/http/handlers/pages.ts';
import { routes, type RouteDeps } from '../../src/http/routes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';

let ts: TestServer;

before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/** Every concrete path the route table answers GET on (`/web/:file` for each asset). */
function getPaths(): string[] {
  // Building the table only creates the handlers' closures; nothing is called.
  const table = routes({} as RouteDeps);
  return table
    .filter(([method, pattern]) => method === 'GET' && !pattern.includes('*'))
    .flatMap(([, pattern]) => (pattern.includes(':file') ? Object.keys(ASSETS).map((f) => pattern.replace(':file', f)) : [pattern.replace(/\/\?$/, '/')]));
}

test('HEAD answers like GET on every GET route: same status and headers, no body', async () => {
  const paths = getPaths();
  assert.ok(paths.includes('/') && paths.includes('/console') && paths.includes('/favicon.ico') && paths.includes('/web/center.js'));
  await ts.addUser({ login: 'head-admin', isAdmin: true, password: 'head-secret-1' });
  const who = await webLogin(ts, 'head-admin', 'head-secret-1');
  for (const cookie of ['', who.cookie]) {
    for (const path of paths) {
      if (cookie && path.endsWith('/stream')) continue; // signed in, a stream never ends: its HEAD is checked below
      const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
      const get = await fetch(ts.url + path, { headers, redirect: 'manual' });
      const getBody = Buffer.from(await get.arrayBuffer());
      const head = await fetch(ts.url + path, { method: 'HEAD', headers, redirect: 'manual' });
      const what = `${path}${cookie ? ' (signed in)' : ''}`;
      assert.equal(head.status, get.status, what);
      assert.notEqual(get.status, 405, what);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), what);
      assert.equal(head.headers.get('content-length'), String(getBody.length), what);
      assert.equal((await head.arrayBuffer()).byteLength, 0, what);
    }
  }
  const stream = await fetch(`${ts.url}/events/stream`, { method: 'HEAD', headers: { Cookie: who.cookie } });
  assert.equal(stream.status, 200);
  assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
});

test('/favicon.ico is a small icon', async () => {
  const res = await fetch(`${ts.url}/favicon.ico`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/x-icon');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 1, 0], 'ICO header');
  assert.ok(bytes.length < 4096);
});

test('a known path with another method is 405 with Allow; an unknown path 404', async () => {
  const health = await fetch(`${ts.url}/healthz`, { method: 'POST' });
  assert.equal(health.status, 405);
  assert.equal(health.headers.get('allow'), 'GET, HEAD');
  const login = await fetch(`${ts.url}/login`);
  assert.equal(login.status, 405);
  assert.equal(login.headers.get('allow'), 'POST');
  const token = await fetch(`${ts.url}/oauth/token/`, { method: 'DELETE' });
  assert.equal(token.status, 405);
  assert.equal(token.headers.get('allow'), 'GET, HEAD, POST');
  const unknown = await fetch(`${ts.url}/no/such/page`);
  assert.equal(unknown.status, 404);
  assert.equal((await fetch(`${ts.url}/web/no-such.js`)).status, 404);
});

test('non-REST JSON errors have the REST shape {error, error_description}', async () => {
  for (const path of ['/session', '/console/api/users', '/console/api/nothing']) {
    const res = await fetch(ts.url + path);
    assert.equal(res.status, 401, path);
    assert.deepEqual(await res.json(), { error: 'NOT_SIGNED_IN', error_description: 'User not authorized' }, path);
  }
  const tooBig = await fetch(`${ts.url}/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'x'.repeat(20_000) });
  assert.equal(tooBig.status, 413);
  assert.equal((await tooBig.json()).error, 'ERROR_REQUEST_TOO_LARGE');
});
