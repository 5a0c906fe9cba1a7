import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { cliOn } from '../helpers/cli-env.ts';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestSchema, postgresProblem, servicesRequired } from '../helpers/services.ts';
import { addApp, tokensFor } from '../apps/oauth-client.ts';

/**
 * The snapshot pair moves a deployment between engines: export from the store this run tests,
 * import into the other one (SQLite → PostgreSQL in the SQLite run, PostgreSQL → SQLite in the
 * PostgreSQL run), then every registered method, called by every kind of caller with the same
 * parameters on both servers, answers the same. Both servers share one clock, so dates agree.
 */
const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0, 0));
const work = mkdtempSync(join(tmpdir(), 'notify24-snap-'));
const fromPostgres = process.env.NOTIFY24_TEST_STORE === 'postgres';
let schema: Awaited<ReturnType<typeof createTestSchema>> | null = null;
let source: TestServer;
/** The imported deployment, started after the import as an operator would. */
let target: { url: string; databaseUrl: string; server: RunningServer; close(): Promise<void> };
let skip = false;
/** Settings both servers run with (the test helper's defaults). */
const EQUAL_SETTINGS = {};

after(async () => {
  await source?.close();
  await target?.close();
  await schema?.drop();
  rmSync(work, { recursive: true, force: true });
});

const cli = cliOn;

/** A store of the other engine than this run's, empty, with its URL. */
async function otherEngine(): Promise<string> {
  if (fromPostgres) return join(work, 'target.db');
  schema = await createTestSchema();
  return schema.url;
}

interface Callers {
  admin: string;
  rita: string;
  ritaId: number;
  bob: string;
  bobId: number;
  token: string;
}
let callers: Callers;

/** A state with a bit of everything: users, webhooks, an application with tokens and a binding, every kind of notification, read states, answers, settings. */
async function buildState(ts: TestServer): Promise<Callers> {
  const rita = await ts.addUser({ login: 'rita', name: 'Rita', lastName: 'Stone', email: 'rita@example.com' });
  const bob = await ts.addUser({ login: 'bob', name: 'Bob' });
  const app = await addApp(ts, { name: 'Notifier', scopes: ['im', 'user'] });
  const tokens = await tokensFor(ts, app, rita.id);
  const rest = `${ts.url}/rest/`;
  await ok(rest, 'event.bind', { auth: tokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'http://10.1.2.3/hook' });
  for (let i = 0; i < 6; i++) {
    await ok(ts.hook, i % 2 ? 'im.notify.personal.add' : 'im.notify.system.add', { USER_ID: rita.id, MESSAGE: `[b]note ${i}[/b] https://example.com/${i}`, TAG: i === 4 ? 'tagged' : undefined });
  }
  const confirm = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: rita.id, MESSAGE: 'Approve?', BUTTONS: [{ TITLE: 'Yes', VALUE: 'yes', TYPE: 'accept' }, { TITLE: 'No', VALUE: 'no', TYPE: 'cancel' }] });
  const answerable = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: rita.id, MESSAGE: 'Reply please', ANSWER: 'Y' });
  await ok(rest, 'im.notify.personal.add', { auth: tokens.access_token, USER_ID: bob.id, MESSAGE: 'from the app', TAG: 'app-tag' });
  await ok(rita.hook, 'im.notify.read', { ID: answerable - 3 });
  await ok(rita.hook, 'im.notify.answer', { ID: answerable, ANSWER_TEXT: 'Done' });
  await ok(rita.hook, 'im.notify.confirm', { ID: confirm, NOTIFY_VALUE: 'yes' }).catch(() => undefined);
  await call(rita.hook, 'notify24.settings.set', { SETTINGS: { DND: 'Y' } });
  return {
    admin: ts.hook, rita: rita.hook, ritaId: rita.id, bob: bob.hook, bobId: bob.id, token: tokens.access_token,
  };
}

before(async () => {
  const problem = await postgresProblem();
  if (problem) {
    if (servicesRequired()) throw new Error(`PostgreSQL is required but unreachable: ${problem}`);
    skip = true;
    return;
  }
  source = await startTestServer(EQUAL_SETTINGS, { clock });
  callers = await buildState(source);
});

/** Starts a server over the imported database, as an operator does after `notify24 import`. */
async function startImported(databaseUrl: string): Promise<typeof target> {
  const dataDir = mkdtempSync(join(work, 'target-'));
  const config = defaultConfig({ dataDir, databaseUrl, host: '127.0.0.1', port: 0, httpsPort: null, rateLimit: null, logLevel: 'silent', ...EQUAL_SETTINGS });
  const server = await startServer(config, { clock, log: createLogger('silent') });
  return { url: server.httpUrl, databaseUrl, server, close: () => server.close() };
}

/** The answer with what may differ between two servers taken out: timing blocks (batch's too), the server's own address. */
function normal(reply: { status: number; body: unknown }, base: string): unknown {
  const body = JSON.parse(JSON.stringify(reply.body).replaceAll(base, 'BASE'), (key, value) => (key === 'time' || key === 'result_time' ? undefined : value));
  return { status: reply.status, body };
}

test('export from one engine, import into the other (CLI), and every method answers the same on both', async (t) => {
  if (skip) return t.skip('PostgreSQL unreachable');
  const file = join(work, 'state.jsonl');
  const exported = await cli(source.config.databaseUrl, 'export', '--out', file);
  assert.equal(exported.code, 0);
  assert.match(exported.lines[0]!, /^exported \d+ rows to /);
  const targetUrl = await otherEngine();
  const imported = await cli(targetUrl, 'import', file);
  assert.equal(imported.code, 0, imported.lines.join('\n'));
  assert.match(imported.lines[0]!, /^imported \d+ rows from /);
  target = await startImported(targetUrl);
  const firstLine = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!);
  assert.equal(firstLine.engine, fromPostgres ? 'postgres' : 'sqlite');

  const methods = source.server.services.registry.all().map((m) => m.name).sort();
  assert.deepEqual(target.server.services.registry.all().map((m) => m.name).sort(), methods);
  const { ritaId, bobId } = callers;
  const paramSets: Record<string, unknown>[] = [
    {},
    { USER_ID: ritaId },
    { USER_ID: bobId, MESSAGE: 'compare [i]me[/i]', TAG: 'cmp' },
    { ID: 7, NOTIFY_VALUE: 'no', ANSWER_TEXT: 'Again', name: 'im.notify.get' },
    { IDS: [1, 2, 9], ONLY_CURRENT: 'N', FILTER: { ID: [ritaId, bobId] } },
    { SEARCH_TEXT: 'note', LIMIT: 3, event: 'ONIMNOTIFYANSWER' },
    { LAST_ID: 5, LAST_TYPE: 3, LIMIT: 2, ID: 3 },
    { halt: 0, cmd: { me: 'user.current', page: 'im.notify.get?LIMIT=2', count: 'im.counters.get' } },
    { TAG: 'tagged' },
  ];
  const kinds: [string, (base: string) => { url: string; extra: Record<string, unknown> }][] = [
    ['admin webhook', (base) => ({ url: callers.admin.replace(source.url, base), extra: {} })],
    ['user webhook', (base) => ({ url: callers.rita.replace(source.url, base), extra: {} })],
    ['OAuth token', (base) => ({ url: `${base}/rest/`, extra: { auth: callers.token } })],
  ];
  let compared = 0;
  for (const method of methods) {
    for (const [kind, at] of kinds) {
      for (const params of paramSets) {
        const a = at(source.url);
        const b = at(target.url);
        const [l, r] = await Promise.all([call(a.url, method, { ...params, ...a.extra }), call(b.url, method, { ...params, ...b.extra })]);
        const left = normal(l, source.url);
        const right = normal(r, target.url);
        if (method === 'server.time') continue; // the one answer that is the clock itself
        assert.deepEqual(right, left, `${method} by ${kind} with ${JSON.stringify(params)}`);
        compared++;
      }
    }
  }
  t.diagnostic(`${compared} answers compared over ${methods.length} methods`);
  assert.ok(compared > methods.length * kinds.length * 7);
});

test('import refuses a snapshot of another format version, clearly, and changes nothing', async (t) => {
  if (skip) return t.skip('PostgreSQL unreachable');
  const file = join(work, 'state.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = JSON.parse(lines[0]!);
  writeFileSync(join(work, 'v2.jsonl'), [JSON.stringify({ ...header, version: 2 }), ...lines.slice(1)].join('\n'));
  const before = await call(callers.rita.replace(source.url, target.url), 'im.notify.get', {});
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => void errors.push(line);
  try {
    assert.equal((await cli(target.databaseUrl, 'import', join(work, 'v2.jsonl'))).code, 1);
  } finally {
    console.error = original;
  }
  assert.deepEqual(errors, ['notify24: import refused, nothing changed: snapshot format version 2 is not supported: this notify24 reads version 1 only']);
  const afterwards = await call(callers.rita.replace(source.url, target.url), 'im.notify.get', {});
  assert.deepEqual(afterwards.body.result, before.body.result);
});
