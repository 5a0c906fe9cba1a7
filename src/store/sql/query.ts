/** Small pieces every repository's SQL is built from. */

/** Builds `(?, ?, ?)` for an IN list; callers never interpolate values, only placeholders. */
export function placeholders(count: number): string {
  return `(${new Array(count).fill('?').join(', ')})`;
}

/**
 * Ids bound per statement when a list may be long: far below the bound-variable limits of
 * SQLite (32,766) and PostgreSQL (65,535), whatever else the statement binds.
 */
export const IDS_PER_STATEMENT = 1_000;

/** `values` without repeats, cut into pieces of at most IDS_PER_STATEMENT for IN lists. */
export function idChunks<T>(values: readonly T[]): T[][] {
  const distinct = [...new Set(values)];
  const out: T[][] = [];
  for (let i = 0; i < distinct.length; i += IDS_PER_STATEMENT) out.push(distinct.slice(i, i + IDS_PER_STATEMENT));
  return out;
}

/** Scope lists are kept as one comma-separated column; '' is the empty list. */
export function commaList(column: string): string[] {
  return column ? column.split(',') : [];
}
