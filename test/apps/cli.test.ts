import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { EventHandler } from './handler.ts';
import { tokensFor } from './oauth-client.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/notify24.js');

let ts: TestServer;
let handler: EventHandler;
let cli: (...args: string[]) => Promise<string>;

before(async () => {
  // The worker looks for rows queued by other processes (the CLI) this often.
  ts = await startTestServer({ eventPollMs: 50 });
  handler = await new EventHandler().start();
  const env = { ...process.env, NOTIFY24_DATABASE_URL: ts.config.databaseUrl, NOTIFY24_DATA_DIR: ts.config.dataDir, NOTIFY24_PUBLIC_URL: ts.url };
  cli = async (...args) => (await run(process.execPath, [BIN, ...args], { env })).stdout;
});
after(async () => {
  await ts.close();
  await handler.stop();
});

test('app add prints the credentials once; list, install (ONAPPINSTALL delivered), events, remove', async () => {
  const added = await cli('app', 'add', '--name', 'CLI App', '--code', 'cli.app', '--scope', 'im,user', '--handler', handler.url('/install/'), '--redirect', 'https://cli.example.com/cb');
  const appId = Number(/application (\d+) "CLI App" \(cli\.app\), scopes im,user/.exec(added)![1]);
  const clientId = /client_id:\s+(\S+)/.exec(added)![1]!;
  const clientSecret = /client_secret:\s+(\S+)/.exec(added)![1]!;
  assert.match(clientId, /^local\.[0-9a-f]{14}\.\d{8}$/);
  assert.match(added, new RegExp(`authorize:\\s+${ts.url}/oauth/authorize/\\?client_id=${clientId.replace(/\./g, '\\.')}`));
  // The CLI runs with the default handler networks (the test server allows loopback): it warns.
  assert.match(added, /^warning: 127\.0\.0\.1 is on a loopback address, not allowed by NOTIFY24_HANDLER_NETWORKS: events to this handler will not be delivered \(add `loopback` to NOTIFY24_HANDLER_NETWORKS to allow it\)$/m);

  const listed = await cli('app', 'list');
  assert.match(listed, new RegExp(`^${appId}\\t${clientId.replace(/\./g, '\\.')}\\tCLI App\\tcli\\.app\\tim,user\\tnot installed`, 'm'));
  assert.doesNotMatch(listed, new RegExp(clientSecret), 'the secret is never shown again');

  assert.match(await cli('app', 'install', '--id', String(appId), '--user', '1'), /installed by user 1; ONAPPINSTALL queued/);
  const install = await handler.nextOf('ONAPPINSTALL');
  assert.equal(install.body.auth.user_id, '1');
  assert.equal((await ok(`${ts.url}/rest/`, 'app.info', { auth: install.body.auth.access_token })).INSTALLED, true);
  assert.match(await cli('app', 'install', '--id', String(appId)), /already installed/);

  // The delivery log, once the worker has recorded the attempt.
  while ((await ts.server.services.store.events.deliveries({ appId, limit: 1 }))[0]?.status !== 'delivered') await sleep(20);
  const log = await cli('events', '--app', String(appId), '--verbose');
  assert.match(log, new RegExp(`\\tapp ${appId}\\tONAPPINSTALL\\t${handler.url('/install/').replace(/\./g, '\\.')}\\tdelivered\\tattempts 1\\t`));
  assert.match(log, /\t200\tok\t\d+ ms/);

  // The secret printed once is the one the token endpoint accepts; removal cuts the tokens off.
  const app = (await ts.server.services.store.apps.byId(appId))!;
  const tokens = await tokensFor(ts, { app, clientId, clientSecret }, 1);
  assert.match(await cli('app', 'remove', '--id', String(appId)), /removed/);
  assert.equal((await call(`${ts.url}/rest/`, 'profile', { auth: tokens.access_token })).body.error, 'APPLICATION_NOT_FOUND');
  assert.match(await cli('app', 'list'), new RegExp(`^${appId}\\t.*\\tremoved\\t`, 'm'));
});
