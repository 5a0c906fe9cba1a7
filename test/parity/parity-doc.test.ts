/**
 * docs/parity.md stays true: every method the server registers has a section, every test it
 * names exists, and its counts are the counts of its audit rows.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DOC = readFileSync('docs/parity.md', 'utf8');

/** `file :: title` references, with table-escaped pipes restored. */
function references(): { file: string; title: string }[] {
  const out: { file: string; title: string }[] = [];
  for (const m of DOC.matchAll(/`(test\/[^`\s]+\.test\.ts) :: ((?:\\`|[^`])+)`/g)) {
    out.push({ file: m[1]!, title: m[2]!.replace(/\\([|`])/g, '$1') });
  }
  return out;
}

/** The titles of a test file's `test(...)` calls whose name is a plain string. */
function titles(file: string): Set<string> {
  const source = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of source.matchAll(/\btest\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
    if (m[1] === '`' && m[2]!.includes('${')) continue;
    found.add(m[2]!.replace(/\\(.)/g, '$1'));
  }
  return found;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? testFiles(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('every method registered in the server has a section in docs/parity.md', () => {
  const methodsPart = DOC.slice(DOC.indexOf('\n## Methods'), DOC.indexOf('\n## Audit'));
  const headed = new Set([...methodsPart.matchAll(/^### (.+)$/gm)].flatMap((h) => [...h[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
  const registered = ts.server.services.registry.all().map((m) => m.name);
  assert.ok(registered.length > 0);
  assert.deepEqual(registered.filter((name) => !headed.has(name)), [], 'methods without a section');
});

test('every test docs/parity.md names exists', () => {
  const refs = references();
  assert.ok(refs.length > 100, `only ${refs.length} references found`);
  const known = new Map<string, Set<string>>();
  const missing = refs.filter(({ file, title }) => {
    if (!existsSync(file)) return true;
    if (!known.has(file)) known.set(file, titles(file));
    return !known.get(file)!.has(title);
  });
  assert.deepEqual(missing, [], 'references to tests that do not exist');
  // The files named are the suite's own, not helpers.
  const suite = new Set(testFiles('test'));
  assert.deepEqual([...known.keys()].filter((f) => !suite.has(f)), []);
});

test('the counts of docs/parity.md are the counts of its audit rows', () => {
  const audit = DOC.slice(DOC.indexOf('\n## Audit'));
  const statuses = [...audit.matchAll(/^\| [PN]\d[^\n]*$/gm)].map((row) => row[0].replace(/\\\|/g, '').split('|')[4]!.trim());
  const count = (pred: (s: string) => boolean) => statuses.filter(pred).length;
  const fixed = count((s) => s.startsWith('matched, fixed'));
  const matched = count((s) => s.startsWith('matched'));
  const deliberate = count((s) => s.startsWith('deliberate'));
  const na = count((s) => s.startsWith('n/a'));
  assert.equal(matched + deliberate + na, statuses.length, 'every row has a status');
  const stated = (label: string) => Number(new RegExp(`^\\| ${label} \\| (\\d+) \\|`, 'm').exec(DOC)?.[1]);
  assert.deepEqual(
    { matched: stated('matched'), fixed: stated('of which fixed by this audit'), deliberate: stated('deliberate'), na: stated('n/a'), total: Number(/\*\*total\*\* \| \*\*(\d+)\*\*/.exec(DOC)?.[1]) },
    { matched, fixed, deliberate, na, total: statuses.length },
  );
  const ids = [...audit.matchAll(/^\| ([PN]\d+\.\d+) /gm)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'audit ids are unique');
});

test('docs/parity.md stands on its own: no links or paths outside the repository', () => {
  assert.doesNotMatch(DOC, /\]\(\.\.\/|\.\.\/shared|shared\/spec|\bissue \d/i);
});
