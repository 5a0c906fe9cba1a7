import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorCatalog, errorTables } from '../../src/errors/catalog.ts';
import { generatedSection } from '../../scripts/docs-tables.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md lists exactly the catalog (run `npm run docs:tables` after changing it)', () => {
  const doc = generatedSection(readFileSync('docs/errors.md', 'utf8'), 'errors');
  assert.ok(doc !== null, 'docs/errors.md has its generated section');
  assert.equal(doc, errorTables());
});

test('every catalog line is complete and no two lines are the same answer', () => {
  const seen = new Set<string>();
  for (const e of errorCatalog()) {
    assert.match(e.code, /^[A-Za-z_]+$/, e.name);
    assert.ok(e.status >= 300 && e.status < 600, `${e.name}: status ${e.status}`);
    assert.ok(e.when.length > 0, `${e.name}: says when`);
    const key = `${e.origin} ${e.code} ${e.status} ${e.text}`;
    assert.ok(!seen.has(key), `${e.name} repeats ${key}`);
    seen.add(key);
  }
});

test('errors are built only by the catalog, so it holds every code the server can emit', () => {
  const offenders = sources('src')
    .filter((file) => !file.startsWith(join('src', 'errors')))
    .filter((file) => /new RestError\(|\berror: '[A-Za-z_]+'/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(offenders, []);
});
