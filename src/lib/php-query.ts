import qs from 'qs';

/** Decoded parameters: nested maps and lists of strings. */
type RawParams = Record<string, unknown>;

const QS_OPTIONS: qs.IParseOptions = {
  depth: 32,
  parameterLimit: 100_000,
  arrayLimit: 10_000,
  allowSparse: true,
  duplicates: 'last',
  allowPrototypes: false,
};

/** A list with holes (`a[5]=x`) is a PHP map with those keys, not a shorter list. */
function phpArrays(value: unknown): unknown {
  if (Array.isArray(value)) {
    const dense = value.length === Object.keys(value).length;
    if (dense) return value.map(phpArrays);
    const map: RawParams = {};
    value.forEach((v, i) => (map[i] = phpArrays(v)));
    return map;
  }
  if (value && typeof value === 'object') {
    const map: RawParams = {};
    for (const [k, v] of Object.entries(value)) map[k] = phpArrays(v);
    return map;
  }
  return value;
}

/**
 * Decodes a query string or form body the way PHP's parse_str does: nested `a[b][c]` maps,
 * `a[]` lists, last duplicate wins, and `.` or space in a top-level name read as `_`.
 */
export function parsePhpQuery(text: string): RawParams {
  const parsed = qs.parse(text, QS_OPTIONS) as RawParams;
  const out: RawParams = {};
  for (const [key, value] of Object.entries(parsed)) out[key.replace(/[. ]/g, '_')] = phpArrays(value);
  return out;
}

/** Field list (multipart) → parameters, through the same decoding as a form body. */
export function parsePhpFields(fields: [string, string][]): RawParams {
  return parsePhpQuery(new URLSearchParams(fields).toString());
}
