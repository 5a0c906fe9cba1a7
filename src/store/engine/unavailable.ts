/**
 * The database cannot be reached or dropped the connection (a restart, a failover, a killed
 * backend). The edge answers it as 503 SERVICE_UNAVAILABLE; the pool opens fresh connections
 * for the next queries, so service comes back by itself.
 */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}

/** Socket errors, and PostgreSQL's connection-exception class (08) and shutdown codes (57P01-03). */
const LOST_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03']);
/** What node-postgres says when the socket went away under it (these errors carry no code). */
const LOST_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|connection error/i;

export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof StoreUnavailable) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return LOST_CODES.has(code) || code.startsWith('08') || (typeof e?.message === 'string' && LOST_MESSAGES.test(e.message));
}

/** Throws `err`, as StoreUnavailable when it is a lost connection. */
export function rethrowStoreError(err: unknown): never {
  throw isConnectionLoss(err) && !(err instanceof StoreUnavailable) ? new StoreUnavailable(err) : err;
}

/**
 * The database aborted the transaction to resolve a conflict with another one (PostgreSQL's
 * deadlock 40P01, serialization failure 40001): nothing of it is stored, and running it again
 * from the start is the cure. Thrown out of a savepoint (a batch's command), where going on in
 * the same transaction would wait for the same locks again.
 */
export class TransactionConflict extends Error {
  constructor(cause: unknown) {
    super(`transaction conflict: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'TransactionConflict';
  }
}

const CONFLICT_CODES = new Set(['40P01', '40001']);

export function isConflict(err: unknown): boolean {
  if (err instanceof TransactionConflict) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONFLICT_CODES.has(code);
}

/** Whether `err` ended the whole transaction (not just the statement or savepoint it came from). */
export function endsTransaction(err: unknown): boolean {
  return err instanceof StoreUnavailable || err instanceof TransactionConflict;
}
