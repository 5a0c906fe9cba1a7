/**
 * Whole tables, for snapshots, imports and test resets. It is generic over the schema: tables
 * are found by asking the database, so a table a later migration adds is included without
 * touching this code. Rows travel as arrays of column values, in `columns` order.
 */
export interface TableInfo {
  name: string;
  columns: string[];
  /** Primary key columns (rows are read in this order, a page at a time); empty when none. */
  key: string[];
}

export type TableRow = unknown[];

/** Last value each table's id sequence handed out, by table name (0: none yet). */
export type Sequences = Record<string, number>;

/** The rows of one table, for an in-memory restore. */
export interface TableRows {
  name: string;
  columns: string[];
  rows: TableRow[];
}

export interface TableStore {
  /** Every data table (not the migration ledger), parents before the tables referring to them. */
  describe(): Promise<TableInfo[]>;
  /** Schema versions applied, ascending. */
  versions(): Promise<number[]>;
  /**
   * Up to `limit` rows in key order after `after`, the last row of the previous page (null: from
   * the start); `done` (rows already read) is how a table without a primary key continues.
   */
  page(table: TableInfo, after: TableRow | null, done: number, limit: number): Promise<TableRow[]>;
  sequences(tables: TableInfo[]): Promise<Sequences>;
  /**
   * Replaces the content of every table in `tables` with `data` (tables not named end empty)
   * and sets the sequences. Call inside `tx` for an all-or-nothing swap.
   */
  replace(tables: TableInfo[], data: TableRows[], sequences: Sequences): Promise<void>;
  /** An empty staging copy of each table (an import fills them outside the final transaction). */
  stage(tables: TableInfo[]): Promise<void>;
  insertStaged(table: TableInfo, columns: string[], rows: TableRow[]): Promise<void>;
  /**
   * Replaces every table's content with its staging copy's (the `filled` columns of each; a
   * table not in `filled` ends empty) and sets the sequences; call inside `tx`.
   */
  swapStaged(tables: TableInfo[], filled: Pick<TableRows, 'name' | 'columns'>[], sequences: Sequences): Promise<void>;
  dropStaged(tables: TableInfo[]): Promise<void>;
}
