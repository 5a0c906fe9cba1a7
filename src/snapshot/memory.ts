import type { Store } from '../store/port/store.ts';
import type { TableInfo } from '../store/port/tables.ts';
import { checkHeader, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, targetTable, type Snapshot } from './format.ts';
import { readTables } from './read-tables.ts';

/** The whole state of `store` in memory (every table, generic over the schema). */
export async function takeSnapshot(store: Store, tables?: TableInfo[]): Promise<Snapshot> {
  const described = tables ?? (await store.tables.describe());
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    schema: await store.tables.versions(),
    sequences: await store.tables.sequences(described),
    tables: await readTables(store, described),
  };
}

/**
 * Replaces the whole state of `store` with `snapshot`, in one transaction: a snapshot that does
 * not fit (another format version, a table or column this store lacks) changes nothing.
 * `tables` and `schema` may be passed when already known (a reset repeats this often).
 */
export async function restoreSnapshot(store: Store, snapshot: Snapshot, known?: { tables: TableInfo[]; schema: number[] }): Promise<void> {
  const tables = known?.tables ?? (await store.tables.describe());
  const header = checkHeader(snapshot, known?.schema ?? (await store.tables.versions()));
  for (const t of snapshot.tables) targetTable(tables, t.name, t.columns);
  await store.tx((t) => t.tables.replace(tables, snapshot.tables, header.sequences));
}
