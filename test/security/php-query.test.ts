/**
 * The form and query decoder reads keys as PHP's parse_str does, in one linear pass: nesting,
 * appends, replacements, the top-level `.`/space rule, PHP's nesting limit, undecodable
 * percent signs kept literally, and prototype names as plain keys.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePhpFields, parsePhpQuery } from '../../src/lib/php-query.ts';

const CASES: [string, unknown][] = [
  ['IDS[]=1&IDS[]=2&fields[A][B]=x&IDS2%5B5%5D=y', { IDS: ['1', '2'], fields: { A: { B: 'x' } }, IDS2: { 5: 'y' } }],
  ['a.b=1&a b=2&x[a.b]=3', { a_b: '2', x: { 'a.b': '3' } }],
  ['a=1&a[b]=2', { a: { b: '2' } }],
  ['a[b]=2&a=1', { a: '1' }],
  ['a[]=1&a[5]=2&a[]=3', { a: { 0: '1', 5: '2', 6: '3' } }],
  ['a[b]c=1', { a: { b: '1' } }],
  ['a[b=1', { a_b: '1' }],
  ['%zz=%zz&b=%E0%A4%A&c=%41+b', { '%zz': '%zz', b: '\uFFFD%A', c: 'A b' }],
  ['=x&&b', { b: '' }],
  ['  sp=1', { sp: '1' }],
  [`a${'[x]'.repeat(65)}=1&b=2`, { b: '2' }],
  ['cmd[a]=server.time%3Fx%3D1', { cmd: { a: 'server.time?x=1' } }],
];

test('form and query keys decode as PHP reads them', () => {
  for (const [text, expected] of CASES) assert.deepEqual(parsePhpQuery(text), expected, text);
  assert.equal(Object.keys(parsePhpQuery(`a${'[x]'.repeat(64)}=1`)).length, 1);
});

test('prototype names are ordinary keys and never reach Object.prototype', () => {
  const parsed = parsePhpQuery('__proto__[polluted]=1&constructor[prototype][polluted]=1&toString=2');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.deepEqual(Object.keys(parsed), ['__proto__', 'constructor', 'toString']);
});

test('multipart fields are taken as decoded names (no second percent-decoding)', () => {
  assert.deepEqual(parsePhpFields([['a[%5B]', '1'], ['b[]', 'x'], ['b[]', 'y']]), { a: { '%5B': '1' }, b: ['x', 'y'] });
});

test('a 100,000-item indexed list decodes to a list', () => {
  const text = Array.from({ length: 100_000 }, (_, i) => `IDS[${i}]=${i}`).join('&');
  const ids = parsePhpQuery(text).IDS as string[];
  assert.ok(Array.isArray(ids));
  assert.deepEqual([ids.length, ids[99_999]], [100_000, '99999']);
});
