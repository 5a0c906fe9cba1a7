import type { Store } from '../store/port/store.ts';
import type { TableInfo, TableRow, TableRows } from '../store/port/tables.ts';

/** Rows read per query while walking a table. */
export const PAGE_ROWS = 1000;

/** Every row of `table`, a page at a time (constant memory per page; the caller decides what to keep). */
export async function* tableRows(store: Store, table: TableInfo, pageRows = PAGE_ROWS): AsyncGenerator<TableRow[]> {
  let after: TableRow | null = null;
  let done = 0;
  for (;;) {
    const rows = await store.tables.page(table, after, done, pageRows);
    if (rows.length === 0) return;
    yield rows;
    done += rows.length;
    after = rows[rows.length - 1]!;
    if (rows.length < pageRows) return;
  }
}

/** Every table's rows in memory: for small states (a test portal's first-start state, fixtures). */
export async function readTables(store: Store, tables: TableInfo[]): Promise<TableRows[]> {
  const out: TableRows[] = [];
  for (const t of tables) {
    const rows: TableRow[] = [];
    for await (const page of tableRows(store, t)) rows.push(...page);
    out.push({ name: t.name, columns: t.columns, rows });
  }
  return out;
}
