/**
 * Parameters as both drivers take them: `undefined` is SQL NULL, booleans are 0/1 (the schema
 * keeps flags as integers on both engines).
 */
export function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
