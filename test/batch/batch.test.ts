import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { defineMethod } from '../../src/rest/registry.ts';
import { call, request, type Encoding } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
  // A method that fails in a way no handler should: batch must turn it into an entry, not a crash.
  ts.server.services.registry.add(
    defineMethod({ name: 'test.explode', scope: '_global', handler: () => { throw new Error('boom'); } }),
    // Echoes its parameters so a test can see exactly what substitution produced.
    defineMethod({ name: 'test.echo', scope: '_global', handler: (ctx) => ctx.raw }),
  );
});
after(() => ts.close());

const batch = (params: Record<string, unknown>, encoding: Encoding = 'json', base = ts.hook) => call(base, 'batch', params, encoding);

test('51 commands: the first 50 run, the 51st gets its own ERROR_BATCH_LENGTH_EXCEEDED in a 200 answer', async () => {
  const cmd = Array.from({ length: 51 }, () => 'server.time');
  const res = await batch({ cmd });
  assert.equal(res.status, 200);
  const { result, result_error, result_time, result_total, result_next } = res.body.result;
  assert.ok(Array.isArray(result), 'keys 0..49 make a JSON list');
  assert.equal(result.length, 50);
  for (const t of result) assert.match(t, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(result_error, { 50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' } });
  assert.equal(result_time.length, 50);
  assert.equal(typeof result_time[0].processing, 'number');
  assert.equal(typeof result_time[0].operating, 'number');
  assert.deepEqual(result_total, []);
  assert.deepEqual(result_next, []);
  assert.equal(typeof res.body.time.start, 'number');
});

test('a nested batch is refused per command; its neighbours still run', async () => {
  const res = await batch({ cmd: { inner: 'batch?cmd[a]=server.time', after: 'server.time', upper: 'BATCH' } });
  assert.equal(res.status, 200);
  const notAllowed = { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };
  assert.deepEqual(res.body.result.result_error, { inner: notAllowed, upper: notAllowed });
  assert.deepEqual(Object.keys(res.body.result.result), ['after']);
  assert.deepEqual(Object.keys(res.body.result.result_time), ['after']);
});

test('$result references feed later commands, typed when whole, spliced when inside text', async () => {
  const ann = await ts.addUser({ login: 'ref-ann', name: 'Ann', lastName: 'Reference' });
  const res = await batch({
    cmd: {
      me: 'user.current',
      list: `user.get?FILTER[ID]=${ann.id}`,
      byId: 'user.get?ID=$result[list][0][ID]',
      byName: 'user.get?FILTER[NAME]=$result[list][0][NAME]&FILTER[LAST_NAME]=$result[list][0][LAST_NAME]',
      total: 'user.get?ID=$total[list]',
      missing: 'user.get?FILTER[NAME]=$result[nothing][NAME]',
    },
  });
  assert.equal(res.status, 200);
  const { result, result_total, result_error } = res.body.result;
  assert.deepEqual(result_error, []);
  assert.equal(result.me.ID, '1');
  assert.equal(result.list[0].ID, String(ann.id));
  assert.deepEqual(result.byId.map((u: { ID: string }) => u.ID), [String(ann.id)]);
  assert.deepEqual(result.byName.map((u: { ID: string }) => u.ID), [String(ann.id)]);
  // $total[list] is 1: user 1 (the administrator).
  assert.equal(result_total.list, 1);
  assert.deepEqual(result.total.map((u: { ID: string }) => u.ID), ['1']);
  // An unknown key stops the walk at the whole $result map: no name equals it, nobody matches.
  assert.deepEqual(result.missing, []);
});

test('substitution rules: typed whole values, spliced scalars, $error and $time, walks that stop early', async () => {
  const query = [
    'id=$result[me][ID]',
    'name=Hi $result[me][NAME]!',
    'whole=$result[me][UF_DEPARTMENT]',
    'inText=x$result[me][UF_DEPARTMENT]',
    'err=$error[bad][error]',
    'missing=$result[nothing]',
    'deep=$result[me][ID][zzz]',
    'nested[a][]=$result[me][ID]',
    'time=$time[me][start]',
  ].join('&');
  const res = await batch({ cmd: { me: 'user.current', bad: 'no.such.method', echo: `test.echo?${query}` } });
  const echo = res.body.result.result.echo;
  assert.equal(echo.id, '1');
  assert.equal(echo.name, 'Hi Administrator!');
  assert.deepEqual(echo.whole, [], 'a whole-value list stays a list');
  assert.equal(echo.inText, 'x$result[me][UF_DEPARTMENT]', 'a list inside text leaves the token');
  assert.equal(echo.err, 'ERROR_METHOD_NOT_FOUND');
  assert.deepEqual(Object.keys(echo.missing), ['me'], 'an unknown key stops the walk at the whole $result map');
  assert.equal(echo.deep, '1', 'the walk stops at a scalar');
  assert.deepEqual(echo.nested, { a: ['1'] });
  assert.equal(echo.time, res.body.result.result_time.me.start);
});

test('a whole-value reference keeps its type: a list feeds a list parameter', async () => {
  const bo = await ts.addUser({ login: 'ref-bo', name: 'Bo' });
  const res = await batch({
    cmd: {
      ids: { method: 'user.get', params: { FILTER: { ID: [1, bo.id] } } },
      again: { method: 'user.get', params: { FILTER: { ID: '$result[ids]' }, sort: 'ID' } },
    },
  });
  assert.deepEqual(res.body.result.result_error, []);
  // FILTER[ID] received the user maps themselves: intval of a non-empty map is 1, so only user 1.
  assert.deepEqual(res.body.result.result.again.map((u: { ID: string }) => u.ID), ['1']);
  assert.deepEqual(res.body.result.result.ids.map((u: { ID: string }) => u.ID), ['1', String(bo.id)]);
});

test('halt=1 stops after the first failure; halt=0 runs everything and keeps keys', async () => {
  const cmd = ['server.time', 'no.such.method', 'server.time'];
  const halted = await batch({ cmd, halt: 1 });
  assert.equal(halted.status, 200);
  assert.equal(halted.body.result.result.length, 1);
  assert.deepEqual(halted.body.result.result_error, { 1: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' } });
  assert.equal(halted.body.result.result_time.length, 1);

  const all = await batch({ cmd, halt: 0 });
  assert.deepEqual(Object.keys(all.body.result.result), ['0', '2']);
  assert.ok(!Array.isArray(all.body.result.result), 'keys 0 and 2 are not a list: a JSON object');
  assert.deepEqual(Object.keys(all.body.result.result_error), ['1']);
});

test('halt is a PHP boolean: "false" halts, "0" and false do not', async () => {
  const cmd = ['no.such.method', 'server.time'];
  for (const [halt, encoding, ran] of [['false', 'form', 0], ['0', 'form', 1], [false, 'json', 1], [true, 'json', 0]] as const) {
    const res = await batch({ cmd, halt }, encoding);
    assert.equal(Object.keys(res.body.result.result).length, ran, `halt=${JSON.stringify(halt)}`);
  }
});

test('batch commands arrive in every encoding, double-encoded in GET, with + or %20 and raw or encoded brackets', async () => {
  const ann = await ts.addUser({ login: 'enc-ann', name: 'Ann Lee' });
  const spellings = {
    raw: 'user.get?FILTER[NAME]=Ann+Lee',
    encodedBrackets: 'user.get?FILTER%5BNAME%5D=Ann%20Lee',
    plusEncoded: 'user.get?FILTER%5BNAME%5D=Ann+Lee',
    rawSpace: 'user.get?FILTER[NAME]=Ann%20Lee',
    trailing: 'server.time?',
  };
  for (const encoding of ['get', 'form', 'json', 'multipart'] as const) {
    const res = await batch({ halt: 0, cmd: spellings }, encoding);
    assert.equal(res.status, 200, encoding);
    const { result, result_error } = res.body.result;
    assert.deepEqual(result_error, [], encoding);
    for (const key of ['raw', 'encodedBrackets', 'plusEncoded', 'rawSpace']) {
      assert.deepEqual(result[key].map((u: { ID: string }) => u.ID), [String(ann.id)], `${encoding} ${key}`);
    }
    assert.match(result.trailing, /^\d{4}-/);
  }
  // Literally as @2bad/bitrix sends it: the command's own %5B travels as %255B.
  const url = `${ts.hook}batch?cmd%5Ba%5D=${encodeURIComponent('user.get?FILTER%5BNAME%5D=Ann%20Lee')}`;
  assert.match(url, /%255B/);
  const res = await request(url);
  assert.deepEqual(res.body.result.result.a.map((u: { ID: string }) => u.ID), [String(ann.id)]);
});

test('parameter keys are case-insensitive, non-string commands are skipped but use a slot', async () => {
  const res = await batch({ CMD: [42, 'server.time'], HALT: 0 });
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body.result.result), ['1']);
  assert.deepEqual(res.body.result.result_error, []);

  const full = await batch({ cmd: [...Array.from({ length: 50 }, () => 7), 'server.time'] });
  assert.deepEqual(full.body.result.result, []);
  assert.equal(full.body.result.result_error[50].error, 'ERROR_BATCH_LENGTH_EXCEEDED');
});

test('sub-calls use the batch scope grant: insufficient_scope with an empty text, globals still pass', async () => {
  const imOnly = await ts.addUser({ login: 'scope-im' }, ['im']);
  const res = await batch({ cmd: { me: 'user.current', t: 'server.time', p: 'profile' } }, 'json', imOnly.hook);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.result.result_error, { me: { error: 'insufficient_scope', error_description: '' } });
  assert.deepEqual(Object.keys(res.body.result.result).sort(), ['p', 't']);
  assert.equal(res.body.result.result.p.ID, imOnly.id);
});

test('an unexpected failure inside a sub-call becomes an INTERNAL_SERVER_ERROR entry', async () => {
  const res = await batch({ cmd: { x: 'test.explode', t: 'server.time' } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.result.result_error, { x: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } });
  assert.ok(res.body.result.result.t);
});

test('a batch without commands answers five empty lists; a batch needs authorization like any call', async () => {
  const res = await batch({});
  assert.deepEqual(res.body.result, { result: [], result_error: [], result_total: [], result_next: [], result_time: [] });
  const anon = await call(`${ts.url}/rest/`, 'batch', { cmd: ['server.time'] });
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error, 'NO_AUTH_FOUND');
});

test('paging inside batch: start per command, total and next per key', async () => {
  const clockless = await startTestServer({}, { clock: new ManualClock() });
  try {
    for (let i = 0; i < 55; i++) await clockless.addUser({ login: `page-${i}` });
    const res = await call(clockless.hook, 'batch', { cmd: { p1: 'user.get', p2: 'user.get?start=50' } });
    const { result, result_total, result_next } = res.body.result;
    assert.equal(result.p1.length, 50);
    assert.equal(result.p2.length, 6);
    assert.deepEqual(result_total, { p1: 56, p2: 56 });
    assert.deepEqual(result_next, { p1: 50 });
  } finally {
    await clockless.close();
  }
});

test('a 50-command GET batch longer than 16 KiB of URL is served (no 431)', async () => {
  const cmd = Array.from({ length: 50 }, (_, i) => `user.get?FILTER%5BNAME%5D=${'x'.repeat(300)}${i}`);
  const query = new URLSearchParams(cmd.map((c, i) => [`cmd[${i}]`, c])).toString();
  assert.ok(query.length > 16 * 1024);
  const res = await request(`${ts.hook}batch?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.result.result.length, 50);
  assert.deepEqual(res.body.result.result_error, []);
});

test('$result references: im.notify.system.add feeds im.notify.delete in one batch, GET and JSON', async () => {
  const u = await ts.addUser({ login: 'batch-ref-target' });
  for (const encoding of ['json', 'get'] as const) {
    const res = await batch(
      {
        halt: 1,
        cmd: {
          sent: `im.notify.system.add?USER_ID=${u.id}&MESSAGE=${encodeURIComponent('to be deleted & gone')}`,
          kept: `im.notify.system.add?USER_ID=${u.id}&MESSAGE=kept`,
          gone: 'im.notify.delete?ID=$result[sent]',
        },
      },
      encoding,
      u.hook, // a user may delete only their own notifications: the batch runs as the recipient
    );
    assert.equal(res.status, 200);
    const { result, result_error } = res.body.result;
    assert.deepEqual(result_error, [], encoding);
    assert.equal(typeof result.sent, 'number');
    assert.equal(result.gone, true, `${encoding}: the referenced id was deleted`);
    const page = (await call(u.hook, 'im.notify.get', {})).body.result;
    const ids = page.notifications.map((n: { id: number }) => n.id);
    assert.ok(!ids.includes(result.sent), `${encoding}: deleted notification is gone`);
    assert.ok(ids.includes(result.kept), `${encoding}: its neighbour stays`);
  }
});
