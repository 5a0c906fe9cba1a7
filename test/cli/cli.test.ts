import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from '../helpers/http.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/notify24.js');

let dataDir: string;
let env: NodeJS.ProcessEnv;
before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'notify24-cli-'));
  env = { ...process.env, NOTIFY24_DATA_DIR: dataDir, NOTIFY24_PORT: '0', NOTIFY24_HTTPS_PORT: '0', NOTIFY24_LOG_LEVEL: 'warn' };
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `notify24 serve` and resolves once it has printed its webhook URLs. */
function serve(): Promise<{ lines: string[]; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${lines.join('\n')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('HTTPS uses')) {
        child.removeAllListeners('exit');
        resolve({ lines, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) });
      }
    });
  });
}

test('serve: first start creates the admin and prints working HTTP and HTTPS webhook URLs', async () => {
  const server = await serve();
  try {
    const http = server.lines.map((l) => l.trim()).find((l) => /^http:\/\/.*\/rest\/1\/\w+\/$/.test(l))!;
    const https = server.lines.map((l) => l.trim()).find((l) => /^https:\/\/.*\/rest\/1\/\w+\/$/.test(l))!;
    assert.ok(http && https, server.lines.join('\n'));
    const plain = await request(`${http}server.time`);
    assert.equal(plain.status, 200);
    assert.ok(plain.body.time);
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const secure = await request(`${https}user.current`);
    assert.equal(secure.body.result.NAME, 'Administrator');
    assert.equal(statSync(join(dataDir, 'admin-webhook.json')).mode & 0o777, 0o600);
  } finally {
    await server.stop();
  }
});

test('user add / webhook add print what an integrator needs, the URL in HTTP and HTTPS forms; webhook revoke takes effect', async () => {
  const added = await run(process.execPath, [BIN, 'user', 'add', '--login', 'jane', '--name', 'Jane', '--password', 'pw'], { env });
  const userId = /user (\d+) \(jane\) created/.exec(added.stdout)![1];
  const listed = await run(process.execPath, [BIN, 'user', 'list'], { env });
  assert.match(listed.stdout, /\tjane\tJane\t/);

  const server = await serve();
  try {
    // The command reads the ports from the settings, as an operator's shell has them.
    const [, port, httpsPort] = /listening on http:\/\/127\.0\.0\.1:(\d+) and https:\/\/127\.0\.0\.1:(\d+)/.exec(server.lines.join('\n'))!;
    const hookEnv = { ...env, NOTIFY24_PORT: port, NOTIFY24_HTTPS_PORT: httpsPort };
    const hook = await run(process.execPath, [BIN, 'webhook', 'add', '--user', userId!, '--scope', 'im,user'], { env: hookEnv });
    const webhookId = /webhook (\d+) for user/.exec(hook.stdout)![1]!;
    const http = /^http:\/\/127\.0\.0\.1:\d+\/rest\/\d+\/\w+\/$/m.exec(hook.stdout)?.[0];
    const https = /^https:\/\/127\.0\.0\.1:\d+\/rest\/\d+\/\w+\/$/m.exec(hook.stdout)?.[0];
    assert.ok(http && https, hook.stdout);
    assert.equal(http.replace(/^.*\/rest\//, ''), https.replace(/^.*\/rest\//, ''), 'one code, two forms');
    assert.equal((await request(`${http}user.current`)).body.result.NAME, 'Jane');
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    assert.equal((await request(`${https}user.current`)).body.result.NAME, 'Jane');
    await run(process.execPath, [BIN, 'webhook', 'revoke', '--id', webhookId], { env });
    const after = await request(`${http}user.current`);
    assert.equal(after.status, 401);
    assert.equal(after.body.error, 'INVALID_CREDENTIALS');
  } finally {
    await server.stop();
  }
});

test('the first-start banner names the administrator\'s login; its printed command makes that login work', async () => {
  const server = await serve();
  try {
    const text = server.lines.join('\n');
    const login = /sign in with the login "([^"]+)"/.exec(text)?.[1];
    assert.equal(login, 'admin', text);
    const command = /npx notify24 (user passwd .*<new password>)/.exec(text)?.[1];
    assert.ok(command, text);
    const args = command.replace('<new password>', 'admin-secret-1').split(' ');
    await run(process.execPath, [BIN, ...args], { env });
    const base = /listening on (http:\/\/\S+)/.exec(text)![1]!;
    const signIn = (who: string) => request(`${base}/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: who, password: 'admin-secret-1' }),
    });
    const ok = await signIn(login);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.user_id, 1);
  } finally {
    await server.stop();
  }
});

test('a second start prints the same admin URL again', async () => {
  const first = await serve();
  await first.stop();
  const second = await serve();
  await second.stop();
  const code = (lines: string[]) => lines.find((l) => l.includes('/rest/1/'))!.replace(/^.*\/rest\/1\//, '');
  assert.equal(code(first.lines), code(second.lines));
});
