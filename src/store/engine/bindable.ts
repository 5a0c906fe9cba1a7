/** A NUL (PostgreSQL text cannot hold one) or a surrogate (maybe lone: UTF-8 cannot hold one). */
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
const LONE_OR_NUL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Parameters as both drivers take them: `undefined` is SQL NULL, booleans are 0/1 (the schema
 * keeps flags as integers on both engines). Text both engines can store alike: NUL and lone
 * surrogates become U+FFFD, so a value reads back the same from SQLite and PostgreSQL (and a
 * lookup by the same value still matches) instead of PostgreSQL refusing the row.
 */
export function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => {
    if (p === undefined) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (typeof p === 'string') return storedText(p);
    return p;
  });
}

/** A text as it reads back once stored (NUL and lone surrogates replaced, see bindable). */
export function storedText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(LONE_OR_NUL, '\uFFFD') : text;
}
