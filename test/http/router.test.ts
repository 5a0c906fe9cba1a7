import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createDispatcher, type RequestDone } from '../../src/http/dispatch.ts';
import { json } from '../../src/http/reply.ts';
import { Router, type Route } from '../../src/http/router.ts';
import { errors } from '../../src/errors/rest.ts';

const h = (name: string) => () => json({ name });

test('patterns: literal paths, :params, an optional final slash, a final *', () => {
  const router = new Router([
    ['GET', '/oauth/token/?', h('token')],
    ['POST', '/items/:id/revoke', h('revoke')],
    ['ANY', '/api/*', h('api')],
    ['GET', '/favicon.ico', h('icon')],
  ]);
  const found = (method: string, path: string) => {
    const m = router.find(method, path);
    return m.kind === 'handler' ? [m.pattern, m.params] : m.kind === 'wrong-method' ? ['405', m.allow] : ['404'];
  };
  assert.deepEqual(found('GET', '/oauth/token'), ['/oauth/token/?', {}]);
  assert.deepEqual(found('HEAD', '/oauth/token/'), ['/oauth/token/?', {}]);
  assert.deepEqual(found('GET', '/oauth/token//'), ['404']);
  assert.deepEqual(found('POST', '/items/a%20b/revoke'), ['/items/:id/revoke', { id: 'a b' }]);
  assert.deepEqual(found('POST', '/items/%E0%A4%A/revoke'), ['404'], 'bad percent-encoding matches nothing');
  assert.deepEqual(found('DELETE', '/api/x/y'), ['/api/*', {}]);
  assert.deepEqual(found('GET', '/api'), ['404']);
  assert.deepEqual(found('GET', '/favicon-ico'), ['404'], 'a dot in a pattern is a dot');
  assert.deepEqual(found('PUT', '/oauth/token'), ['405', ['GET', 'HEAD']]);
});

test('the dispatcher answers data as JSON, thrown errors in the error shape, and reports each request', async () => {
  const done: RequestDone[] = [];
  const table: Route[] = [
    ['GET', '/data', () => ({ ok: 1 })],
    ['GET', '/fail', () => { throw errors.accessDenied(); }],
    ['GET', '/bug', () => { throw new Error('internal detail'); }],
  ];
  const logged: unknown[] = [];
  const dispatcher = createDispatcher(table, { log: { error: (_m, d) => logged.push(d) }, trustProxy: false, onDone: (d) => done.push(d) });
  const server = createServer((req, res) => void dispatcher.request(req, res, false));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const data = await fetch(`${base}/data`);
    assert.deepEqual([data.status, await data.json()], [200, { ok: 1 }]);
    const fail = await fetch(`${base}/fail`);
    assert.deepEqual([fail.status, await fail.json()], [403, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }]);
    const bug = await fetch(`${base}/bug`);
    assert.deepEqual([bug.status, await bug.json()], [500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }]);
    assert.equal(logged.length, 1, 'the unexpected error is logged');
    assert.equal((await fetch(`${base}/none`)).status, 404);
    assert.deepEqual(done.map((d) => [d.method, d.route, d.status]), [
      ['GET', '/data', 200], ['GET', '/fail', 403], ['GET', '/bug', 500], ['GET', null, 404],
    ]);
  } finally {
    server.close();
  }
});
