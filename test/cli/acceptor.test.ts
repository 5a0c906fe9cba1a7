/** `NOTIFY24_ACCEPTOR=1`: a process that only accepts connections in front of the server process. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { call } from '../helpers/http.ts';
import { startNode } from '../helpers/node-process.ts';
import { createTestSchema } from '../helpers/services.ts';

test('with an acceptor process the server answers fresh connections, and SIGTERM stops both gracefully', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'notify24-acceptor-'));
  const db = process.env.NOTIFY24_TEST_STORE === 'postgres' ? await createTestSchema() : { url: join(dir, 'n.db'), drop: async () => undefined };
  const node = await startNode({ NOTIFY24_ACCEPTOR: '1', NOTIFY24_DATABASE_URL: db.url, NOTIFY24_LOG_LEVEL: 'info', NOTIFY24_LOG_FORMAT: 'json' }, { expectHook: true });
  try {
    // 40 calls, each on a connection of its own, all at once: every one is accepted and answered.
    const answers = await Promise.all(Array.from({ length: 40 }, () =>
      fetch(`${node.hook}server.time.json`, { headers: { Connection: 'close' } }).then(async (r) => ({ status: r.status, body: (await r.json()) as { result?: string } }))));
    assert.ok(answers.every((a) => a.status === 200 && typeof a.body.result === 'string'), JSON.stringify(answers[0]));
    assert.equal((await call(node.hook!, 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'through the acceptor' })).status, 200);
    node.kill('SIGTERM');
    assert.equal(await node.exited, 0);
    assert.match(node.log(), /"msg":"stopped"/);
  } finally {
    await node.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
