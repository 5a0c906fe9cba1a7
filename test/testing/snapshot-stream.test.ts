import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUser } from '../../src/identity/accounts.ts';
import { takeSnapshot } from '../../src/snapshot/memory.ts';
import { exportSnapshot, importSnapshot } from '../../src/snapshot/stream.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/port/store.ts';
import { createTestSchema } from '../helpers/services.ts';

/** Two stores of this run's engine: one with a few thousand rows, one to import into. */
const work = mkdtempSync(join(tmpdir(), 'notify24-stream-'));
const schemas: { drop(): Promise<void> }[] = [];
let source: Store;
let target: Store;
const ROWS = 2500;

async function freshStore(name: string): Promise<Store> {
  if (process.env.NOTIFY24_TEST_STORE !== 'postgres') return openStore(join(work, `${name}.db`));
  const schema = await createTestSchema();
  schemas.push(schema);
  return openStore(schema.url);
}

before(async () => {
  source = await freshStore('source');
  target = await freshStore('target');
  const user = await createUser(source, { login: 'many', name: 'Many' }, 1_700_000_000_000);
  await source.tx(async (t) => {
    for (let i = 0; i < ROWS; i++) {
      await t.notifications.insert({
        userId: user.id, authorId: 0, type: 4, module: 'rest', event: 'rest_notify', tag: '', subTag: '', title: '',
        text: `row ${i} ✓ "quoted" \\ back`, messageOut: '', tagOwner: '', buttons: '', params: '', senderClientId: '', createdAt: 1_700_000_000_000 + i,
      });
    }
  });
  await createUser(target, { login: 'target-only', name: 'Kept unless an import succeeds' }, 1_700_000_000_000);
});
after(async () => {
  await source?.close();
  await target?.close();
  for (const s of schemas) await s.drop();
  rmSync(work, { recursive: true, force: true });
});

/** The export of `source` as lines, with the order in which pages were read and lines written. */
async function exportLines(pageRows = 100): Promise<{ lines: string[]; events: string[] }> {
  const events: string[] = [];
  const page = source.tables.page.bind(source.tables);
  source.tables.page = async (table, afterRow, done, limit) => {
    const rows = await page(table, afterRow, done, limit);
    if (table.name === 'notifications') events.push('read');
    return rows;
  };
  const text: string[] = [];
  try {
    await exportSnapshot(source, async (chunk) => {
      text.push(chunk);
      if (chunk.startsWith('[') && chunk.includes('row ')) events.push('write');
    }, undefined, pageRows);
  } finally {
    source.tables.page = page;
  }
  return { lines: text.join('').split('\n').filter(Boolean), events };
}

test('export streams: each page of rows is written before the next is read', async () => {
  const { lines, events } = await exportLines();
  assert.equal(lines.filter((l) => l.includes('"row ')).length, ROWS);
  const reads = events.filter((e) => e === 'read').length;
  assert.ok(reads >= ROWS / 100, `read page by page (${reads} pages)`);
  assert.deepEqual(events.slice(0, 4), ['read', 'write', 'read', 'write']);
  const end = JSON.parse(lines.at(-1)!);
  assert.equal(end.end, true);
  assert.ok(end.sequences.notifications >= ROWS);
});

/** Yields `lines`, noting how many had been taken each time the import reported progress. */
function feed(lines: string[], seen: number[], failAt = -1) {
  let taken = 0;
  return {
    progress: () => void seen.push(taken),
    async *lines() {
      for (const line of lines) {
        if (taken === failAt) throw new Error('the input broke off');
        taken++;
        yield line;
      }
    },
  };
}

test('an interrupted import (the input breaks off, a file cut short, a bad line) leaves the target as it was', async () => {
  const { lines } = await exportLines(1000);
  const before = await takeSnapshot(target);
  const broken = feed(lines, [], 1500);
  await assert.rejects(importSnapshot(target, broken.lines()), /the input broke off/);
  await assert.rejects(importSnapshot(target, feed(lines.slice(0, -1), []).lines()), /ends before its last line/);
  const bad = [...lines];
  bad[1200] = '[1, 2]';
  await assert.rejects(importSnapshot(target, feed(bad, []).lines()), /line 1201: 2 values for \d+ columns of notifications/);
  await assert.rejects(importSnapshot(target, feed([lines[0]!.replace('"version":1', '"version":7'), ...lines.slice(1)], []).lines()), /snapshot format version 7 is not supported: this notify24 reads version 1 only/);
  assert.deepEqual(await takeSnapshot(target), before);
});

test('import streams: rows are staged while the input is still being read, then swapped in at once', async () => {
  const { lines } = await exportLines(1000);
  const seen: number[] = [];
  const input = feed(lines, seen);
  const { rows } = await importSnapshot(target, input.lines(), input.progress);
  assert.ok(rows >= ROWS);
  assert.ok(seen.length >= 2, 'progress reported per batch');
  assert.ok(seen[0]! < lines.length, `rows were written after ${seen[0]} of ${lines.length} lines`);
  assert.deepEqual(await takeSnapshot(target), await takeSnapshot(source));
  assert.equal(await target.users.byLogin('target-only'), null);
});
