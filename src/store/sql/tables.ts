import type { SqlDb } from '../engine/sql-db.ts';
import type { Sequences, TableInfo, TableRow, TableRows, TableStore } from '../port/tables.ts';

/** The migration ledger: the schema's, never a snapshot's. */
const LEDGER = 'schema_migrations';
/** Staging copies an import fills before its one swapping transaction. */
const STAGE_PREFIX = 'n24stage_';
/** Largest multi-row INSERT (rows); smaller remainders go in power-of-two batches, so few statements are cached. */
const MAX_BATCH = 256;
/** Both engines cap the parameters of one statement (SQLite at 32766). */
const MAX_PARAMS = 30_000;

/** Names come from the database's own catalog; anything unusual is refused rather than quoted. */
function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected table or column name: ${name}`);
  return `"${name}"`;
}

const staged = (t: TableInfo): string => ident(STAGE_PREFIX + t.name);

/** Parents before children (foreign keys), else by name; self-references ignored. */
function parentsFirst(names: string[], parentsOf: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name)) return;
    state.set(name, 'visiting');
    for (const parent of [...(parentsOf.get(name) ?? [])].sort()) if (parent !== name && names.includes(parent)) visit(parent);
    state.set(name, 'done');
    out.push(name);
  };
  for (const name of [...names].sort()) visit(name);
  return out;
}

interface Catalog {
  tables: string[];
  columns: { table: string; column: string; pk: number }[];
  references: { child: string; parent: string }[];
}

async function sqliteCatalog(db: SqlDb): Promise<Catalog> {
  const tables = (await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)).map((r) => r.name);
  const columns: Catalog['columns'] = [];
  const references: Catalog['references'] = [];
  for (const table of tables) {
    for (const c of await db.all<{ name: string; pk: number }>('SELECT name, pk FROM pragma_table_info(?) ORDER BY cid', [table])) {
      columns.push({ table, column: c.name, pk: Number(c.pk) });
    }
    for (const f of await db.all<{ parent: string }>('SELECT "table" AS parent FROM pragma_foreign_key_list(?)', [table])) {
      references.push({ child: table, parent: f.parent });
    }
  }
  return { tables, columns, references };
}

/** PostgreSQL's own catalog (pg_class, pg_attribute, pg_index): information_schema is many times slower. */
async function postgresCatalog(db: SqlDb): Promise<Catalog> {
  const columns = await db.all<{ table: string; column: string; pk: number }>(
    `SELECT c.relname AS "table", a.attname AS "column", COALESCE(array_position(i.indkey::int2[], a.attnum), 0) AS pk
     FROM pg_class c
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
     ORDER BY c.relname, a.attnum`,
  );
  const references = await db.all<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pl.relname AS parent
     FROM pg_constraint f JOIN pg_class cl ON cl.oid = f.conrelid JOIN pg_class pl ON pl.oid = f.confrelid
     WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace`,
  );
  return { tables: [...new Set(columns.map((c) => c.table))], columns: columns.map((c) => ({ ...c, pk: Number(c.pk) })), references };
}

/** The table store over SQL, for both engines (the catalog queries are the only dialect-specific part). */
export class SqlTableStore implements TableStore {
  /** PostgreSQL: the sequence behind each table's serial column, found once. */
  private serials: Map<string, string> | null = null;

  constructor(private readonly db: SqlDb) {}

  async describe(): Promise<TableInfo[]> {
    const catalog = this.db.dialect === 'sqlite' ? await sqliteCatalog(this.db) : await postgresCatalog(this.db);
    const names = catalog.tables.filter((n) => n !== LEDGER && !n.startsWith(STAGE_PREFIX));
    const parentsOf = new Map<string, Set<string>>();
    for (const r of catalog.references) parentsOf.set(r.child, (parentsOf.get(r.child) ?? new Set()).add(r.parent));
    return parentsFirst(names, parentsOf).map((name) => {
      const cols = catalog.columns.filter((c) => c.table === name);
      const key = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.column);
      return { name, columns: cols.map((c) => c.column), key };
    });
  }

  async versions(): Promise<number[]> {
    return (await this.db.all<{ version: number }>(`SELECT version FROM ${LEDGER} ORDER BY version`)).map((r) => Number(r.version));
  }

  async page(table: TableInfo, after: TableRow | null, done: number, limit: number): Promise<TableRow[]> {
    const cols = table.columns.map(ident).join(', ');
    let sql: string;
    let params: unknown[];
    if (table.key.length) {
      const key = table.key.map(ident).join(', ');
      const where = after ? `WHERE (${key}) > (${table.key.map(() => '?').join(', ')})` : '';
      sql = `SELECT ${cols} FROM ${ident(table.name)} ${where} ORDER BY ${key} LIMIT ?`;
      params = after ? [...table.key.map((k) => after[table.columns.indexOf(k)]), limit] : [limit];
    } else {
      // No key to continue from: count rows instead (only tables without a primary key pay this).
      sql = `SELECT ${cols} FROM ${ident(table.name)} ORDER BY ${cols} LIMIT ? OFFSET ?`;
      params = [limit, done];
    }
    const rows = await this.db.all<Record<string, unknown>>(sql, params);
    return rows.map((r) => table.columns.map((c) => r[c]));
  }

  async sequences(tables: TableInfo[]): Promise<Sequences> {
    const out: Sequences = {};
    if (this.db.dialect === 'sqlite') {
      const rows = await this.db.all<{ name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence').catch(() => []);
      for (const r of rows) if (tables.some((t) => t.name === r.name)) out[r.name] = Number(r.seq);
      return out;
    }
    for (const [table, seq] of await this.serialSequences()) {
      if (!tables.some((t) => t.name === table)) continue;
      const r = await this.db.get<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM ${seq}`);
      out[table] = r && r.is_called ? Number(r.last_value) : 0;
    }
    return out;
  }

  private async serialSequences(): Promise<Map<string, string>> {
    if (this.serials) return this.serials;
    const rows = await this.db.all<{ table: string; seq: string | null }>(
      `SELECT c.relname AS "table", pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
       FROM pg_class c
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'`,
    );
    this.serials = new Map(rows.filter((r) => r.seq && r.table !== LEDGER).map((r) => [r.table, r.seq!]));
    return this.serials;
  }

  private async setSequences(tables: TableInfo[], sequences: Sequences): Promise<void> {
    if (this.db.dialect === 'sqlite') {
      // AUTOINCREMENT keeps its high-water mark here; inserting rows above does not lower it.
      const names = tables.map((t) => t.name);
      for (const name of names) await this.db.run('DELETE FROM sqlite_sequence WHERE name = ?', [name]).catch(() => undefined);
      for (const [name, seq] of Object.entries(sequences)) {
        if (names.includes(name) && seq > 0) await this.db.run('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [name, seq]);
      }
      return;
    }
    // One statement for all of them: a reset pays a round trip per statement.
    const calls: string[] = [];
    const params: unknown[] = [];
    for (const [table, seq] of await this.serialSequences()) {
      if (!tables.some((t) => t.name === table)) continue;
      const value = sequences[table] ?? 0;
      calls.push('setval(?::regclass, ?, ?)');
      params.push(seq, Math.max(value, 1), value > 0);
    }
    if (calls.length) await this.db.get(`SELECT ${calls.join(', ')}`, params);
  }

  private async clear(tables: TableInfo[]): Promise<void> {
    const deletes = [...tables].reverse().map((t) => `DELETE FROM ${ident(t.name)}`);
    // PostgreSQL takes them in one round trip (a statement list without parameters); SQLite's
    // driver runs one statement at a time, in-process.
    if (this.db.dialect === 'postgres') await this.db.run(deletes.join('; '));
    else for (const sql of deletes) await this.db.run(sql);
  }

  private async insertInto(target: string, columns: string[], rows: TableRow[]): Promise<void> {
    const width = Math.max(columns.length, 1);
    const most = Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_PARAMS / width)));
    const head = `INSERT INTO ${target} (${columns.map(ident).join(', ')}) VALUES `;
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    let i = 0;
    while (i < rows.length) {
      let n = most;
      while (n > rows.length - i) n = Math.max(1, n >> 1);
      const batch = rows.slice(i, i + n);
      await this.db.run(head + Array(n).fill(tuple).join(', '), batch.flat());
      i += n;
    }
  }

  async replace(tables: TableInfo[], data: TableRows[], sequences: Sequences): Promise<void> {
    this.db.facts?.forget();
    await this.clear(tables);
    for (const t of tables) {
      const d = data.find((x) => x.name === t.name);
      if (d && d.rows.length) await this.insertInto(ident(t.name), d.columns, d.rows);
    }
    await this.setSequences(tables, sequences);
  }

  async stage(tables: TableInfo[]): Promise<void> {
    await this.dropStaged(tables);
    for (const t of tables) await this.db.run(`CREATE TABLE ${staged(t)} AS SELECT * FROM ${ident(t.name)} WHERE 1 = 0`);
  }

  insertStaged(table: TableInfo, columns: string[], rows: TableRow[]): Promise<void> {
    return this.insertInto(staged(table), columns, rows);
  }

  async swapStaged(tables: TableInfo[], filled: Pick<TableRows, 'name' | 'columns'>[], sequences: Sequences): Promise<void> {
    this.db.facts?.forget();
    await this.clear(tables);
    for (const t of tables) {
      const f = filled.find((x) => x.name === t.name);
      if (!f) continue;
      const cols = f.columns.map(ident).join(', ');
      await this.db.run(`INSERT INTO ${ident(t.name)} (${cols}) SELECT ${cols} FROM ${staged(t)}`);
    }
    await this.setSequences(tables, sequences);
  }

  async dropStaged(tables: TableInfo[]): Promise<void> {
    for (const t of tables) await this.db.run(`DROP TABLE IF EXISTS ${staged(t)}`);
  }
}
