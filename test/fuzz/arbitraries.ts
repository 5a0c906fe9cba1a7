/**
 * Hostile inputs for the fuzz suite: strings with every kind of character the server might
 * choke on, parameter maps shaped like real calls (known parameter names, PHP bracket keys,
 * nested lists and maps, deep and wide ones), and whole HTTP requests in every encoding.
 */
import fc from 'fast-check';

/** Pieces that break naive code: controls, XML-forbidden and non-characters, surrogates, encodings, markup. */
const FRAGMENTS = [
  '\u0000', '\u0001', '\u0008', '\t', '\n', '\r', '\u000B', '\u000C', '\u001F', '\u007F', '\u0085', '\u2028', '\u2029',
  '\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u{1F600}', '\u200B', '\uFEFF', 'é', '日本',
  '%', '%00', '%0a', '%0D%0A', '%E0%A4%A', '%zz', '%2F%2F', '%5C', '%5B', '%5D', '%25', '+', '&', '=', '?', '#',
  '[', ']', '[]', '[a]', '[0]', '][', '.', ' ', '\\', '/', '//', '/\\', '"', "'", '<', '>', '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>', 'javascript:alert(1)', '#BR#', '[b]', '[/b]', '[url=javascript:x]', '$result[a]', '$error[0]',
  '__proto__', 'constructor', 'prototype', 'toString', 'NaN', 'Infinity', '-1', '0', '1e309', '9007199254740993',
  '{', '}', '{"a":', '[[[[', 'null', 'true', 'Y', 'N', '😀'.repeat(3),
];

/** A string made of hostile pieces and random text (any code unit, lone surrogates included). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 6 }) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Parameter names the registered methods read, in any case, plus hostile ones. */
const KNOWN_KEYS = [
  'USER_ID', 'MESSAGE', 'MESSAGE_OUT', 'ATTACH', 'TAG', 'SUB_TAG', 'CLIENT_ID', 'ID', 'IDS', 'ACTION', 'ONLY_CURRENT',
  'NOTIFY_ID', 'NOTIFY_VALUE', 'ANSWER_TEXT', 'BUTTONS', 'LAST_ID', 'LAST_TYPE', 'LIMIT', 'CONVERT_TEXT', 'SEARCH_TEXT',
  'SEARCH_TYPE', 'SEARCH_TYPES', 'SEARCH_DATE', 'SEARCH_DATE_FROM', 'SEARCH_DATE_TO', 'SEARCH_AUTHORS', 'GROUP_TAG',
  'FILTER', 'SORT', 'ORDER', 'start', 'cmd', 'halt', 'CMD', 'HALT', 'FULL', 'SCOPE', 'name', 'EVENT', 'HANDLER',
  'AUTH_TYPE', 'EVENT_TYPE', 'SETTINGS', 'TYPE', 'DND', 'QUIET_HOURS', 'TO', 'auth', 'access_token', 'sessid', 'state',
];

export const paramKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS).chain((k) => fc.constantFrom(k, k.toLowerCase(), k[0] + k.slice(1).toLowerCase())) },
  { weight: 1, arbitrary: hostileString },
);

/** A scalar as JSON or a form would carry it. */
export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -0, 0.5) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** Nested values: lists, maps (known keys too), and the occasional attach- or batch-shaped structure. */
export const paramValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.dictionary(paramKey, tie('value'), { maxKeys: 5 }) },
    {
      weight: 1,
      arbitrary: fc.record({
        BLOCKS: fc.array(
          fc.dictionary(fc.constantFrom('USER', 'LINK', 'RICH_LINK', 'MESSAGE', 'GRID', 'IMAGE', 'FILE', 'DELIMITER', 'HTML'), tie('value'), { maxKeys: 2 }),
          { maxLength: 4 },
        ),
        COLOR: scalar,
        DESCRIPTION: scalar,
      }),
    },
  ),
})).value;

/** Shapes that are large or deep on purpose (around and past the bounds). */
export const bigValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 1, max: 1500 }).map((n) => nestList(n)),
  fc.integer({ min: 0, max: 5_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
  fc.integer({ min: 0, max: 2_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  fc.integer({ min: 0, max: 50_000 }).map((n) => 'x'.repeat(n)),
);

function nestList(levels: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** A parameter set: mostly known keys, some hostile, rarely a big one. */
export const params: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.dictionary(paramKey, paramValue, { maxKeys: 8 }),
    fc.option(fc.tuple(fc.constantFrom(...KNOWN_KEYS), bigValue), { freq: 40 }),
  )
  .map(([base, big]) => (big ? { ...base, [big[0]]: big[1] } : base));

/** PHP bracket pairs for a value (lists and maps nested), as forms and queries carry them. */
export function phpPairs(value: unknown, prefix: string, out: [string, string][] = []): [string, string][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length > 20_000) return out; // a form of this size says nothing more
    for (const [k, v] of entries) phpPairs(v, `${prefix}[${k}]`, out);
  } else out.push([prefix, value === null || value === undefined ? '' : typeof value === 'boolean' ? (value ? '1' : '') : String(value)]);
  return out;
}

/** Percent-encoding as browsers and SDKs do it, and rougher: raw bytes, lone `%`, wrong case. */
export const encodeStyle = fc.constantFrom('standard', 'raw', 'upper', 'plus');

export function encode(text: string, style: string): string {
  if (style === 'raw') return text.replace(/[&=]/g, (c) => encodeURIComponent(c));
  // Lone surrogates cannot be encoded as UTF-8: they go as the bytes a careless client sends.
  const encoded = text
    .split(/([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/)
    .map((part, i) => (i % 2 ? '%ED%A0%80' : encodeURIComponent(part).replace(/%5B/g, '[').replace(/%5D/g, ']')))
    .join('');
  if (style === 'upper') return encoded.replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase());
  if (style === 'plus') return encoded.replace(/%20/g, '+');
  return encoded;
}

/** A form body or query string for a parameter set, in one of the encoding styles. */
export function formText(p: Record<string, unknown>, style: string): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(p)) phpPairs(v, k, pairs);
  return pairs.map(([k, v]) => `${encode(k, style)}=${encode(v, style)}`).join('&');
}

/** Raw bodies that are not what their Content-Type says. */
export const garbageBody: fc.Arbitrary<string> = fc.oneof(
  hostileString,
  fc.json(),
  fc.constantFrom('{', '[', '{"a":', '\u0000', '--x\r\n', 'a[=1&[]=2&=&&', '%', '{"cmd":"x"}', '1e999', '"\\ud800"', '[]', 'null'),
  fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => `a${'[b]'.repeat(n)}=1`),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/x-www-form-urlencoded',
  'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zz', 'text/plain', 'text/xml',
  'application/octet-stream', '', undefined, ';;;', 'application/json; boundary=x',
);

/** A multipart body by hand (so boundaries, headers and parts can be wrong too). */
export const multipart: fc.Arbitrary<{ body: string; type: string }> = fc
  .record({
    boundary: fc.oneof(fc.constant('b0undary'), fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/)),
    fields: fc.array(fc.tuple(hostileString, hostileString), { maxLength: 6 }),
    declared: fc.boolean(),
    broken: fc.constantFrom('none', 'truncate', 'no-end', 'bad-header', 'file'),
  })
  .map(({ boundary, fields, declared, broken }) => {
    const parts = fields.map(([name, value]) =>
      broken === 'bad-header'
        ? `--${boundary}\r\nContent-Disposition: form-data; name=${name}\r\n\r\n${value}\r\n`
        : broken === 'file'
          ? `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\n${value}\r\n`
          : `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"\r\n\r\n${value}\r\n`,
    );
    let body = parts.join('') + (broken === 'no-end' ? '' : `--${boundary}--\r\n`);
    if (broken === 'truncate') body = body.slice(0, Math.floor(body.length / 2));
    return { body, type: `multipart/form-data${declared ? `; boundary=${boundary}` : ''}` };
  });
