import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A package loaded with Node's `require` on the first call of the returned function.
 *
 * WHY not `import`: a start should not load what it may never use (the PostgreSQL driver on
 * SQLite, the SMTP client without an SMTP URL, the WebSocket library before a page connects),
 * and a CommonJS package imported from an ES module costs Node more than required: it scans the
 * source of every file the package loads to guess its exports (`ws`: 59 ms imported against
 * 20 ms required on the bench machine).
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
