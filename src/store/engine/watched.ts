import type { SqlDb } from './sql-db.ts';

/**
 * `db` with every failing query reported to `onError` (the store-errors metric) before it is
 * thrown on. Errors a transaction's own code throws (a catalog error inside `tx`) are not
 * query failures and are not reported.
 */
export function watched(db: SqlDb, onError: (err: unknown) => void): SqlDb {
  const report = (err: unknown): never => {
    onError(err);
    throw err;
  };
  const reported = <T>(run: () => T): T => {
    try {
      return run();
    } catch (err) {
      return report(err);
    }
  };
  // A nested call gets the same handle back (`t === db`): no new wrapper for every nested tx.
  // SQLite hands every transaction the same handle: its wrapper is made once.
  const inner = new WeakMap<SqlDb, SqlDb>();
  const wrap = (t: SqlDb): SqlDb => {
    if (t === db) return self;
    let w = inner.get(t);
    if (!w) inner.set(t, (w = watched(t, onError)));
    return w;
  };
  const self: SqlDb = {
    dialect: db.dialect,
    all: <T>(sql: string, params?: readonly unknown[]) => db.all<T>(sql, params).catch(report),
    get: <T>(sql: string, params?: readonly unknown[]) => db.get<T>(sql, params).catch(report),
    run: (sql, params) => db.run(sql, params).catch(report),
    values: (sql, params) => db.values(sql, params).catch(report),
    tx: <T>(fn: (t: SqlDb) => Promise<T>) => db.tx((t) => fn(wrap(t))),
    savepoint: <T>(fn: (t: SqlDb) => Promise<T>) => db.savepoint((t) => fn(wrap(t))),
    ...(db.valuesNow ? { valuesNow: (sql: string, params?: readonly unknown[]) => reported(() => db.valuesNow!(sql, params)) } : {}),
    ...(db.externalVersion ? { externalVersion: () => db.externalVersion!() } : {}),
    ...(db.commitVersion ? { commitVersion: () => db.commitVersion!() } : {}),
    ...(db.facts ? { facts: db.facts } : {}),
    ...(db.transaction ? { transaction: true } : {}),
    close: () => db.close(),
  };
  return self;
}
