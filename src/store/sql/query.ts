/** Small pieces every repository's SQL is built from. */

/** Builds `(?, ?, ?)` for an IN list; callers never interpolate values, only placeholders. */
export function placeholders(count: number): string {
  return `(${new Array(count).fill('?').join(', ')})`;
}

/** Scope lists are kept as one comma-separated column; '' is the empty list. */
export function commaList(column: string): string[] {
  return column ? column.split(',') : [];
}
