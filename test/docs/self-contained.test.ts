import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const DOCS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** A doc without its fenced blocks: those quote program output (profiles), not the current tree. */
const prose = (doc: string) => readFileSync(doc, 'utf8').replace(/^```[\s\S]*?^```/gm, '');

/** Generated, not committed (bench/results/profiles/): present only where it was made. */
const ignored = (path: string) => [path, `${path}/`].some((p) => spawnSync('git', ['check-ignore', '-q', p]).status === 0);

test('docs name only files that exist in the repository', () => {
  const missing = DOCS.flatMap((doc) =>
    // `name.{json,md}` names several files: the part before `.{` is checked with its first extension.
    [...prose(doc).matchAll(/(?<![\w/.])((?:src|test|bench|scripts|bin)\/[\w./-]*[\w/])(\.\{(\w+)[,}])?/g)]
      .map((m) => m[1]!.replace(/\/$/, '') + (m[3] ? `.${m[3]}` : ''))
      .filter((path) => !existsSync(path) && !ignored(path))
      .map((path) => `${doc}: ${path}`),
  );
  assert.deepEqual(missing, []);
});

test('docs point nowhere outside the repository and to no issue numbers', () => {
  const outside = DOCS.flatMap((doc) =>
    readFileSync(doc, 'utf8')
      .split('\n')
      .filter((line) => /\.\.\/|shared\/|\bspec §|\b[Ii]ssues? #?\d+|\bthe issue\b|issue's/.test(line))
      .map((line) => `${doc}: ${line.trim()}`),
  );
  assert.deepEqual(outside, []);
});
