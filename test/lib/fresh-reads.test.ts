/**
 * FreshReads shares a read among the callers that asked before it started, never one that
 * started before a caller asked: each caller sees what was written before its call.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreshReads } from '../../src/lib/fresh-reads.ts';

/** A read whose answer is the store's value when it starts, released by hand. */
function controlled() {
  let value = 0;
  const started: { value: number; release: () => void; fail: (e: Error) => void }[] = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const seen = value;
      started.push({ value: seen, release: () => resolve(seen), fail: reject });
    });
  return { read, started, write: (v: number) => (value = v) };
}

const tick = () => new Promise((r) => setImmediate(r));

test('callers arriving during a read share the next one, which sees their writes', async () => {
  const reads = new FreshReads<string, number>();
  const s = controlled();
  const a = reads.get('k', s.read);
  await tick();
  assert.equal(s.started.length, 1);
  s.write(1); // committed before b and c asked: they must see it
  const b = reads.get('k', s.read);
  const c = reads.get('k', s.read);
  assert.equal(b, c, 'b and c share one read');
  await tick();
  assert.equal(s.started.length, 1, 'the next read waits for the running one');
  s.started[0]!.release();
  assert.equal(await a, 0);
  await tick();
  assert.equal(s.started.length, 2);
  s.started[1]!.release();
  assert.equal(await b, 1);
  assert.equal(await c, 1);
  // Other keys never wait; an idle key starts at once.
  const d = reads.get('other', s.read);
  const e = reads.get('k', s.read);
  await tick();
  assert.equal(s.started.length, 4);
  s.started[2]!.release();
  s.started[3]!.release();
  assert.deepEqual([await d, await e], [1, 1]);
});

test('a failed read fails its callers only; the next read goes on', async () => {
  const reads = new FreshReads<string, number>();
  const s = controlled();
  const a = reads.get('k', s.read);
  await tick();
  const b = reads.get('k', s.read);
  s.started[0]!.fail(new Error('gone'));
  await assert.rejects(a, /gone/);
  await tick();
  s.started[1]!.release();
  assert.equal(await b, 0);
  const c = reads.get('k', s.read);
  await tick();
  assert.equal(s.started.length, 3);
  s.started[2]!.release();
  assert.equal(await c, 0);
});
