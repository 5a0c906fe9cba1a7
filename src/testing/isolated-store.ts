import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/open.ts';

/** Where one test portal keeps its data, and how it is thrown away. */
export interface IsolatedStore {
  /** A temporary folder of its own (certificate, admin webhook file, SQLite file). */
  dataDir: string;
  databaseUrl: string;
  dispose(): Promise<void>;
}

/** `url` with every connection's search path set to `schema`. */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/**
 * A migrated, empty SQLite file made once per process: each new portal starts from a copy,
 * which costs a file copy instead of running every migration again (most of a start). It is
 * never opened after it is made, so portals still share nothing.
 */
let template: Promise<string> | null = null;

function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify24-template-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'notify24.db');
    await (await openStore(file)).close();
    return file;
  })();
  return template;
}

type PgClient = { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };

async function onServer(url: string, sql: string): Promise<void> {
  // pg is loaded only for PostgreSQL portals: a SQLite portal starts without it.
  const pg = createRequire(import.meta.url)('pg') as { Client: new (o: { connectionString: string }) => PgClient };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A store no other portal sees: a SQLite file in a new temporary folder, or, given a
 * `postgres://` URL, a new schema in that database (dropped with everything in it on dispose).
 */
export async function isolatedStore(postgresUrl?: string): Promise<IsolatedStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify24-portal-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (!postgresUrl) {
    const databaseUrl = join(dataDir, 'notify24.db');
    try {
      copyFileSync(await migratedTemplate(), databaseUrl);
    } catch (err) {
      removeDir();
      throw err;
    }
    return { dataDir, databaseUrl, dispose: async () => removeDir() };
  }
  const schema = `notify24_portal_${randomBytes(6).toString('hex')}`;
  try {
    await onServer(postgresUrl, `CREATE SCHEMA ${schema}`);
  } catch (err) {
    removeDir();
    throw err;
  }
  return {
    dataDir,
    databaseUrl: urlWithSchema(postgresUrl, schema),
    async dispose() {
      try {
        await onServer(postgresUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        removeDir();
      }
    },
  };
}
