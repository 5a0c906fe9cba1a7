import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { REQUESTS_PER_TURN } from '../../src/http/admission.ts';
import { after, before, describe, test } from 'node:test';
import { call, request, type Encoding } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { defineMethod } from '../../src/rest/registry.ts';

let ts: TestServer;
let jane: { id: number; hook: string };
before(async () => {
  ts = await startTestServer({ bodyLimit: 64 * 1024 });
  jane = await ts.addUser({ login: 'jane', name: 'Jane', lastName: 'Roe', email: 'jane@example.com' });
  // Echoes what a method receives, so the tests can see parsing itself.
  ts.server.services.registry.add(
    defineMethod({ name: 'test.echo', scope: '_global', handler: (ctx) => ({ params: ctx.params.values, start: ctx.start }) }),
    defineMethod({ name: 'test.explode', scope: '_global', handler: () => { throw new Error('secret internals'); } }),
  );
});
after(() => ts.close());

describe('request bodies and query strings', () => {
  for (const encoding of ['json', 'form', 'get', 'multipart'] as Encoding[]) {
    test(`${encoding}: nested PHP-style parameters reach the method`, async () => {
      const reply = await call(ts.hook, 'test.echo', { FILTER: { ID: jane.id, TAGS: ['a', 'b'] }, flag: 'Y' }, encoding);
      assert.equal(reply.status, 200);
      const { params } = reply.body.result;
      assert.equal(String(params.FILTER.ID), String(jane.id));
      assert.deepEqual(params.FILTER.TAGS, ['a', 'b']);
      assert.equal(params.FLAG, 'Y');
    });
  }

  test('form keys IDS[]=1&IDS[]=2 make a list; fields[A][B]=x a nested map', async () => {
    const reply = await request(`${ts.hook}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'IDS[]=1&IDS[]=2&fields[A][B]=x&IDS2%5B5%5D=y',
    });
    assert.deepEqual(reply.body.result.params.IDS, ['1', '2']);
    assert.deepEqual(reply.body.result.params.FIELDS, { A: { B: 'x' } });
    assert.deepEqual(reply.body.result.params.IDS2, { 5: 'y' });
  });

  test('query and body merge, the body winning per key; JSON null is an absent parameter', async () => {
    const reply = await request(`${ts.hook}test.echo?A=query&B=query&C=query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ B: 'body', C: null, D: [1, true] }),
    });
    const { params } = reply.body.result;
    assert.deepEqual(params, { A: 'query', B: 'body', D: [1, true] });
  });

  test('keys are case-insensitive for methods, the later spelling wins', async () => {
    const reply = await call(ts.hook, 'test.echo', { user_id: 1, User_Id: 2 });
    assert.deepEqual(reply.body.result.params, { USER_ID: 2 });
  });

  test('`start` is taken out of the parameters; auth and SDK telemetry keys never break a call', async () => {
    const reply = await call(`${ts.hook}`, 'test.echo?bx24_request_id=x&bx24_sdk_ver=2.2.0&start=50', { A: 1 });
    assert.equal(reply.body.result.start, 50);
    assert.equal(reply.body.result.params.START, undefined);
    assert.equal(reply.body.result.params.A, 1);
  });

  test('a malformed JSON body is read as no parameters, not a crash', async () => {
    const reply = await request(`${ts.hook}test.echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"A":' });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body.result.params, {});
  });

  test('a body over the limit gets a clear error with 413', async () => {
    const reply = await call(ts.hook, 'test.echo', { big: 'x'.repeat(100 * 1024) });
    assert.equal(reply.status, 413);
    assert.equal(reply.body.error, 'ERROR_REQUEST_TOO_LARGE');
  });

  test('calls that waited for their turn (their body already read by the parser) get their own parameters', async () => {
    // Many requests arriving together: a few start at once (body not parsed yet), the rest wait
    // for a later turn of the loop, by which time the parser holds their whole body.
    const n = REQUESTS_PER_TURN * 4;
    const target = new URL(`${ts.hook}test.echo`);
    const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((resolve) => {
      const s = connect(Number(target.port), '127.0.0.1', () => resolve(s));
    })));
    // Each connection answered once first: the server has accepted them all (one per turn).
    await Promise.all(sockets.map((s) => new Promise((resolve) => {
      s.once('data', resolve);
      s.write('GET /warm HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    })));
    const answers = sockets.map((s) => new Promise<string>((resolve) => {
      let text = '';
      s.on('data', (chunk) => {
        text += String(chunk);
        if (text.endsWith('}}')) resolve(text);
      });
    }));
    for (const [i, s] of sockets.entries()) {
      const body = JSON.stringify({ N: i, WORD: `w${i}`.repeat(i) });
      s.write(`POST ${target.pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    }
    const until = performance.now() + 100;
    while (performance.now() < until);
    for (const [i, text] of (await Promise.all(answers)).entries()) {
      const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      assert.deepEqual(json.result.params, { N: i, WORD: `w${i}`.repeat(i) }, `request ${i}`);
    }
    for (const s of sockets) s.destroy();
  });

  test('request heads over 16 KiB are accepted (long GET batches)', async () => {
    const long = 'x'.repeat(48 * 1024);
    const reply = await request(`${ts.hook}test.echo?A=${long}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.result.params.A.length, long.length);
  });
});

describe('addresses', () => {
  const shapes = ['server.time', 'server.time.json', 'server.time/', 'SERVER.TIME', 'Server.Time.json/'];
  for (const shape of shapes) {
    test(`webhook path ${shape}`, async () => {
      const reply = await request(`${ts.hook}${shape}`);
      assert.equal(reply.status, 200);
      assert.equal(typeof reply.body.result, 'string');
    });
  }

  test('a hook URL ending in / yields // before the method, which still works', async () => {
    const reply = await request(`${ts.hook}/server.time`);
    assert.equal(reply.status, 200);
  });

  test('never a redirect', async () => {
    const res = await fetch(`${ts.hook}server.time/`, { redirect: 'manual' });
    assert.equal(res.status, 200);
  });

  test('.xml answers the same data under <response>', async () => {
    const reply = await request(`${ts.hook}profile.xml`);
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type')!, /^text\/xml/);
    assert.match(reply.text, /^<response><result><ID>1<\/ID><ADMIN>1<\/ADMIN><NAME>Administrator<\/NAME>/);
    assert.match(reply.text, /<time><start>\d+(\.\d+)?<\/start>/);
  });

  test('errors are XML too when .xml was asked for', async () => {
    const reply = await request(`${ts.url}/rest/1/wrong/server.time.xml`);
    assert.equal(reply.status, 401);
    assert.equal(reply.text, '<response><error>INVALID_CREDENTIALS</error><error_description>Invalid request credentials</error_description></response>');
  });

  test('unknown method: 404 ERROR_METHOD_NOT_FOUND, even with bad credentials', async () => {
    for (const url of [`${ts.hook}no.such.method`, `${ts.url}/rest/1/wrong/no.such.method`, `${ts.url}/rest/no.such.method`]) {
      const reply = await request(url);
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    }
  });

  test('OPTIONS preflight answers with the CORS headers', async () => {
    const res = await fetch(`${ts.hook}server.time`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });
});

describe('envelope', () => {
  test('success: {result, time} with every time field, JSON content type', async () => {
    const reply = await request(`${ts.hook}server.time`);
    assert.match(reply.headers.get('content-type')!, /^application\/json/);
    assert.deepEqual(Object.keys(reply.body), ['result', 'time']);
    const t = reply.body.time;
    for (const key of ['start', 'finish', 'duration', 'processing', 'operating_reset_at', 'operating']) {
      assert.equal(typeof t[key], 'number', key);
    }
    assert.ok(t.finish >= t.start);
    assert.ok(Math.abs(t.duration - (t.finish - t.start)) < 0.002);
    assert.ok(t.operating_reset_at > t.start);
    assert.match(t.date_start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.match(t.date_finish, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  test('a page written in pieces (kept answer, envelope) arrives whole: its length is the bytes sent, asked twice', async () => {
    for (let i = 0; i < 3; i++) await call(ts.hook, 'im.notify.system.add', { USER_ID: jane.id, MESSAGE: `piece ${i} — ü` });
    const raw = () => new Promise<{ length: number; body: Buffer }>((resolve, reject) => {
      const req = httpRequest(`${jane.hook}im.notify.get`, { method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    const first = await raw();
    const again = await raw();
    for (const answer of [first, again]) {
      assert.equal(answer.length, answer.body.length);
      const parsed = JSON.parse(answer.body.toString('utf8'));
      assert.deepEqual(parsed.result.notifications.map((n: { text: string }) => n.text), ['piece 2 — ü', 'piece 1 — ü', 'piece 0 — ü']);
    }
    assert.deepEqual(JSON.parse(again.body.toString()).result, JSON.parse(first.body.toString()).result);
  });

  test('an unexpected exception is INTERNAL_SERVER_ERROR 500 without its message or stack', async () => {
    const reply = await request(`${ts.hook}test.explode`);
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.body, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
    assert.doesNotMatch(reply.text, /secret internals/);
  });

  test('raw HTTP client: garbage Content-Type with a body is read as a form', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${ts.hook}test.echo`, { method: 'POST', headers: { 'Content-Type': 'text/plain' } }, (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end('A=1&B[]=2');
    });
    assert.deepEqual(JSON.parse(text).result.params, { A: '1', B: ['2'] });
  });
});
