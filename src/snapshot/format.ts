import type { Sequences, TableInfo, TableRows } from '../store/port/tables.ts';

/** What the first line of every snapshot says it is. */
export const SNAPSHOT_FORMAT = 'notify24-snapshot';
/** Bumped whenever a reader of the previous version could misread a file; readers refuse others. */
export const SNAPSHOT_VERSION = 1;

/** A whole store's state in memory (`portal.snapshot()`; the file format streams the same parts). */
export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** Schema versions of the store it was taken from. */
  schema: number[];
  /** Last id each table's sequence handed out. */
  sequences: Sequences;
  tables: TableRows[];
}

/** The header of a snapshot file: everything but the rows. */
export type SnapshotHeader = Omit<Snapshot, 'tables'>;

/** Refuses a header that is not a snapshot of this format version, or one the store cannot hold. */
export function checkHeader(header: unknown, targetSchema: number[]): SnapshotHeader {
  const h = header as Partial<SnapshotHeader> | null;
  if (!h || typeof h !== 'object' || h.format !== SNAPSHOT_FORMAT) throw new Error('not a notify24 snapshot (its first line must name the format "notify24-snapshot")');
  if (h.version !== SNAPSHOT_VERSION) {
    throw new Error(`snapshot format version ${String(h.version)} is not supported: this notify24 reads version ${SNAPSHOT_VERSION} only`);
  }
  const schema = Array.isArray(h.schema) ? h.schema.map(Number) : [];
  const unknown = schema.filter((v) => !targetSchema.includes(v));
  if (unknown.length) throw new Error(`the snapshot comes from a newer schema (versions ${unknown.join(', ')} unknown here): update notify24 first`);
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, schema, sequences: h.sequences ?? {} };
}

/** The target table a snapshot table goes into; refuses tables or columns the store lacks. */
export function targetTable(tables: TableInfo[], name: string, columns: string[]): TableInfo {
  const table = tables.find((t) => t.name === name);
  if (!table) throw new Error(`the snapshot has a table this store lacks: ${name}`);
  const missing = columns.filter((c) => !table.columns.includes(c));
  if (missing.length) throw new Error(`the snapshot has columns table ${name} lacks: ${missing.join(', ')}`);
  return table;
}
