/**
 * Platform rules of the portal's REST layer that other files do not already pin down: where
 * parameters come from and which never reach a method, list lifting, answer headers.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { defineMethod } from '../../src/rest/registry.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
  ts.server.services.registry.add(
    defineMethod({ name: 'test.raw', scope: '_global', rawKeys: true, handler: (ctx) => ({ params: ctx.raw }) }),
    defineMethod({ name: 'test.paged', scope: '_global', handler: () => ({ items: [1, 2], next: '2', total: '9' }) }),
  );
});
after(() => ts.close());

const raw = async (path: string, init?: RequestInit) => (await request(`${ts.hook}${path}`, init)).body.result.params;

test('names: "." and space in a top-level query or form name read as "_", not inside brackets, not in JSON', async () => {
  assert.deepEqual(await raw('test.raw?a.b=1&c%20d=2&e[f.g]=3'), { a_b: '1', c_d: '2', e: { 'f.g': '3' } });
  assert.deepEqual(await raw('test.raw', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'x.y=1' }), { x_y: '1' });
  assert.deepEqual(await raw('test.raw', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"x.y":1}' }), { 'x.y': 1 });
});

test('parameters that never reach a method: method, state, the webhook credentials; repeated names keep the last', async () => {
  assert.deepEqual(await raw('test.raw?method=x&state=s&a=1&a=2&aplogin=9&ap=zzz'), { a: '2' });
});

test('bodies: JSON with a charset is JSON; a JSON scalar is no parameters; a JSON list is keyed 0..n', async () => {
  const post = (type: string, body: string) => raw('test.raw', { method: 'POST', headers: { 'Content-Type': type }, body });
  assert.deepEqual(await post('application/json; charset=utf-8', '{"a":1}'), { a: 1 });
  assert.deepEqual(await post('application/json', '"text"'), {});
  assert.deepEqual(await post('application/json', '["x","y"]'), { 0: 'x', 1: 'y' });
});

test('only a POST body is read: PUT and GET bodies are ignored, the query string still counts', async () => {
  assert.deepEqual(await raw('test.raw?q=1', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }), { q: '1' });
  const url = new URL(`${ts.hook}test.raw?q=2`);
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 3 } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end('a=1');
  });
  assert.deepEqual(JSON.parse(body).result.params, { q: '2' });
});

test('addresses: /rest/api/ (REST 3.0) and ?method= are not methods of this API', async () => {
  for (const path of [`${ts.url}/rest/api/server.time`, `${ts.url}/rest/?method=server.time`]) {
    const r = await request(path);
    assert.deepEqual([r.status, r.body.error, r.body.error_description], [404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'], path);
  }
});

test('list lifting: next and total of a map result go to the envelope as integers, before time', async () => {
  const r = await request(`${ts.hook}test.paged`);
  assert.deepEqual(Object.keys(r.body), ['result', 'next', 'total', 'time']);
  assert.deepEqual([r.body.result, r.body.next, r.body.total], [{ items: [1, 2] }, 2, 9]);
});

test('every answer, success or error, carries the CORS and nosniff headers; errors carry no time', async () => {
  for (const r of [await request(`${ts.hook}server.time`), await call(ts.hook, 'im.notify.get', { LAST_ID: 'x', LAST_TYPE: 1 })]) {
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-allow-headers'), 'origin, content-type, accept');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
  const error = await call(ts.hook, 'im.notify.get', { LAST_ID: 'x', LAST_TYPE: 1 });
  assert.deepEqual(Object.keys(error.body), ['error', 'error_description']);
});
