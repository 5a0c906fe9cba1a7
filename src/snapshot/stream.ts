import type { Store } from '../store/port/store.ts';
import type { Sequences, TableInfo, TableRow } from '../store/port/tables.ts';
import { checkHeader, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, targetTable, type SnapshotHeader } from './format.ts';
import { tableRows } from './read-tables.ts';

/**
 * The snapshot file: JSON lines, so both directions stream in constant memory.
 *
 *   {"format":"notify24-snapshot","version":1,"schema":[1,2,…],"engine":"sqlite","taken":"…"}
 *   {"table":"users","columns":["id","login",…]}
 *   [1,"admin",…]                                   one line per row, values in column order
 *   …                                               (every table, parents first)
 *   {"end":true,"rows":12345,"sequences":{"users":7,…}}
 *
 * The last line proves the file is whole: an import refuses a file without it.
 */
export type Progress = (done: { table: string; rows: number }) => void;

/** Where export lines go: resolves when the consumer can take more (backpressure). */
export type LineSink = (text: string) => Promise<void>;

/** Rows staged per transaction during an import. */
const IMPORT_BATCH = 2000;

/** Writes the whole store as snapshot lines to `sink`, a page of rows at a time. */
export async function exportSnapshot(store: Store, sink: LineSink, progress?: Progress, pageRows?: number): Promise<{ rows: number }> {
  const tables = await store.tables.describe();
  const header = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, schema: await store.tables.versions(), engine: store.engine, taken: new Date().toISOString() };
  await sink(`${JSON.stringify(header)}\n`);
  let rows = 0;
  for (const table of tables) {
    await sink(`${JSON.stringify({ table: table.name, columns: table.columns })}\n`);
    for await (const page of tableRows(store, table, pageRows)) {
      await sink(page.map((r) => `${JSON.stringify(r)}\n`).join(''));
      rows += page.length;
      progress?.({ table: table.name, rows });
    }
  }
  // Read last, so every id exported is at or below its sequence.
  await sink(`${JSON.stringify({ end: true, rows, sequences: await store.tables.sequences(tables) })}\n`);
  return { rows };
}

function parseLine(line: string, at: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`line ${at} of the snapshot is not JSON`);
  }
}

/**
 * Replaces the whole store with a snapshot read line by line. Rows go to staging tables first
 * (batches of their own); only when the last line has been read and checked does one
 * transaction swap them in. Whatever happens before that — a bad line, a file cut short, the
 * process stopped — the store is left as it was.
 */
export async function importSnapshot(store: Store, lines: AsyncIterable<string>, progress?: Progress): Promise<{ rows: number }> {
  const tables = await store.tables.describe();
  const versions = await store.tables.versions();
  let header: SnapshotHeader | null = null;
  let current: { table: TableInfo; columns: string[] } | null = null;
  const filled: { name: string; columns: string[] }[] = [];
  let batch: TableRow[] = [];
  let rows = 0;
  let at = 0;
  let end: { rows: number; sequences: Sequences } | null = null;

  const flush = async () => {
    if (!current || batch.length === 0) return;
    const { table, columns } = current;
    const taken = batch;
    batch = [];
    await store.tx((t) => t.tables.insertStaged(table, columns, taken));
    progress?.({ table: table.name, rows });
  };

  let staged = false;
  try {
    for await (const raw of lines) {
      at++;
      const line = raw.trim();
      if (!line) continue;
      if (end) throw new Error(`line ${at}: the snapshot goes on after its last line`);
      const value = parseLine(line, at);
      if (!header) {
        header = checkHeader(value, versions);
        await store.tables.stage(tables);
        staged = true;
        continue;
      }
      if (Array.isArray(value)) {
        if (!current) throw new Error(`line ${at}: a row before any table`);
        if (value.length !== current.columns.length) throw new Error(`line ${at}: ${value.length} values for ${current.columns.length} columns of ${current.table.name}`);
        batch.push(value);
        rows++;
        if (batch.length >= IMPORT_BATCH) await flush();
        continue;
      }
      const mark = value as { table?: unknown; columns?: unknown; end?: unknown; rows?: unknown; sequences?: unknown };
      await flush();
      if (typeof mark.table === 'string' && Array.isArray(mark.columns)) {
        const columns = mark.columns.map(String);
        if (filled.some((f) => f.name === mark.table)) throw new Error(`line ${at}: table ${mark.table} appears twice`);
        current = { table: targetTable(tables, mark.table, columns), columns };
        filled.push({ name: mark.table, columns });
      } else if (mark.end === true) {
        if (mark.rows !== rows) throw new Error(`the snapshot's last line counts ${String(mark.rows)} rows, the file has ${rows}`);
        end = { rows, sequences: (mark.sequences ?? {}) as Sequences };
      } else {
        throw new Error(`line ${at} is neither a row, a table nor the last line`);
      }
    }
    if (!header) throw new Error('the snapshot is empty');
    if (!end) throw new Error('the snapshot ends before its last line (cut short?): nothing was imported');
    const sequences = end.sequences;
    await store.tx((t) => t.tables.swapStaged(tables, filled, sequences));
    return { rows };
  } finally {
    if (staged) await store.tables.dropStaged(tables);
  }
}

/** Lines of decoded text chunks (a file or stdin read with an encoding), one at a time. */
export async function* textLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}
