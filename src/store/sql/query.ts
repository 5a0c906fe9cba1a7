import type { SqlDb } from '../engine/sql-db.ts';
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

/** A queue table the claim loop works on: its name, the due-time column, and what "claimable" means. */
export interface ClaimQueue {
  table: string;
  dueColumn: string;
  /** A condition with two `?`: the time a row must be due by, and the time claims lapse by. */
  claimable: string;
}

/**
 * Claims up to `limit` due rows of a queue shared by several nodes, one node per row: each
 * candidate is taken by an UPDATE that checks the condition again (PostgreSQL re-evaluates it
 * after waiting on the row lock), so a row another node claimed since the SELECT is skipped and
 * asking again yields fresh candidates. Each claim counts an attempt.
 */
export async function claimDueRows<R>(db: SqlDb, q: ClaimQueue, worker: string, now: number, until: number, limit: number): Promise<R[]> {
  const claimed: R[] = [];
  while (claimed.length < limit) {
    const candidates = await db.all<{ id: number | string }>(
      `SELECT id FROM ${q.table} WHERE ${q.claimable} ORDER BY ${q.dueColumn}, id LIMIT ?`,
      [now, now, limit - claimed.length],
    );
    if (candidates.length === 0) break;
    for (const { id } of candidates) {
      const row = await db.get<R>(
        `UPDATE ${q.table} SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE id = ? AND ${q.claimable} RETURNING *`,
        [worker, until, Number(id), now, now],
      );
      if (row) claimed.push(row);
    }
  }
  return claimed;
}
