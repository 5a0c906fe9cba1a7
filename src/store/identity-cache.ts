import type { InvalidationBus } from '../lib/redis-invalidation-bus.ts';
import type { Store } from './port/store.ts';
import { markFulfilled } from '../lib/maybe.ts';

export { redisInvalidationBus, type InvalidationBus } from '../lib/redis-invalidation-bus.ts';

/**
 * Remembers the identity records every authenticated call reads (a user, a user's webhooks, an
 * access token, an application), so a call with known credentials costs no query.
 *
 * Correctness rests on invalidation, never on expiry alone:
 * - any write through this store to users, webhooks, applications or tokens (other than the
 *   harmless ones below) drops the whole cache, again after its transaction commits;
 * - a write by another process on the same SQLite file (the CLI) is seen through the
 *   database's change counter, read before cached reads (at most once a millisecond);
 * - other nodes hear about writes through `bus` (Redis); while the bus is not connected
 *   (messages may be missed) the cache is bypassed and emptied; without a bus on an engine that
 *   cannot report outside writes (PostgreSQL), the cache stays off;
 * - entries also age out after `maxAgeMs`, the bound on staleness should a message be lost.
 * Misses are never remembered, so a new webhook or token works on its first call.
 */
export interface IdentityCacheOptions {
  /** A number that changes when another process commits to the database, or null when unknown. */
  externalVersion?: () => number | null;
  bus?: InvalidationBus | null;
  /** Entries kept at most; past it the cache starts over (cheap, and bounds memory). */
  maxEntries?: number;
  /** How long an entry may be served without being read again from the store. */
  maxAgeMs?: number;
}

type Repo = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Reads served from the cache, per repository. */
const CACHED: Record<string, readonly string[]> = {
  users: ['byId', 'byLogin'],
  webhooks: ['activeForUser'],
  apps: ['byId'],
  oauth: ['byAccessHash'],
  // Nothing cached; listed so that replacing whole tables (imports, test resets) drops the cache.
  tables: [],
};

/**
 * Calls that read, or write nothing a cached read returns in a way that matters: they pass
 * through without dropping the cache. Every other call on these repositories is a write.
 */
const HARMLESS: Record<string, readonly string[]> = {
  users: ['byIds', 'list', 'count'],
  webhooks: ['byId', 'list', 'touch'],
  apps: ['byClientId', 'list', 'hasGrant', 'addGrant', 'memberId', 'claimMemberId'],
  oauth: ['saveCode', 'takeCode', 'saveToken', 'byRefreshHash'],
  tables: ['describe', 'versions', 'page', 'sequences'],
};

/** The same lists as sets (a transaction's store wraps every repository again: made once here). */
const CACHED_SETS = new Map(Object.entries(CACHED).map(([name, methods]) => [name, new Set(methods)]));
const HARMLESS_SETS = new Map(Object.keys(CACHED).map((name) => [name, new Set(HARMLESS[name])]));

/** How often, at most, the database's change counter is read (ms). */
const VERSION_CHECK_MS = 1;

interface Entry {
  value: Promise<unknown>;
  loadedAt: number;
}

export class IdentityCache {
  private entries = new Map<string, Entry>();
  private seenVersion: number | null;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  /** When the change counter was last read (performance.now()). */
  private versionCheckedAt = -Infinity;
  private readonly dropListeners: (() => void)[] = [];

  constructor(private readonly options: IdentityCacheOptions) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.seenVersion = options.externalVersion?.() ?? null;
    options.bus?.listen(() => this.drop());
  }

  /** Whether remembering is safe at all: outside writes must be detectable. */
  get enabled(): boolean {
    return Boolean(this.options.bus) || this.seenVersion !== null;
  }

  drop(): void {
    this.entries = new Map();
    for (const listener of this.dropListeners) listener();
  }

  /** Calls `listener` on every drop: caches whose entries go stale on the same writes (rendered notifications). */
  onDrop(listener: () => void): void {
    this.dropListeners.push(listener);
  }

  /** Drops the cache here and on every other node. */
  async invalidate(): Promise<void> {
    this.drop();
    await this.options.bus?.publish().catch(() => undefined);
  }

  /**
   * The entry's own promise (not an async wrapper around it): once it fulfilled, callers can read
   * its value without waiting (`settle`). Failures, thrown or not, come back as a rejection.
   */
  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    try {
      return this.readEntry(key, load);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private readEntry<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = performance.now();
    if (!this.fresh(now)) return load();
    const hit = this.entries.get(key);
    if (hit && now - hit.loadedAt < this.maxAgeMs) return hit.value as Promise<T>;
    const entries = this.entries;
    const value: Promise<T> = load().then((v) => {
      // Misses are not remembered.
      if ((v === null || (Array.isArray(v) && v.length === 0)) && entries.get(key)?.value === value) entries.delete(key);
      // Callers that can go on at once (the REST edge's authentication) read it without waiting.
      markFulfilled(value, v);
      return v;
    }, (err: unknown) => {
      if (entries.get(key)?.value === value) entries.delete(key);
      throw err;
    });
    if (entries.size >= this.maxEntries) this.drop();
    this.entries.set(key, { value, loadedAt: now });
    return value;
  }

  /** What the cache holds for `key`, if anything; never loads, never fills (reads inside a transaction). */
  peek<T>(key: string): Promise<T> | undefined {
    if (!this.fresh(performance.now())) return undefined;
    const hit = this.entries.get(key);
    return hit && performance.now() - hit.loadedAt < this.maxAgeMs ? (hit.value as Promise<T>) : undefined;
  }

  /** False when entries may be stale: another process wrote, or the bus may have missed a message. */
  private fresh(now: number): boolean {
    const bus = this.options.bus;
    if (bus && !bus.connected()) {
      this.drop();
      return false;
    }
    if (now - this.versionCheckedAt >= VERSION_CHECK_MS || now < this.versionCheckedAt) {
      // One look per millisecond: a call's two or three identity reads, and the other calls of
      // the same moment, share it (a look per event-loop turn was a query per call under load,
      // each call's steps running in turns of their own). A commit elsewhere is seen within a
      // millisecond, sooner than its process can even exit.
      this.versionCheckedAt = now;
      const version = this.options.externalVersion?.() ?? null;
      if (version !== this.seenVersion) {
        this.seenVersion = version;
        this.drop();
      }
    }
    return true;
  }
}

/** `store` with its identity reads served by `cache` (when enabled) and its identity writes invalidating it. */
export function withIdentityCache(store: Store, cache: IdentityCache): Store {
  const read = cache.enabled ? cache.read.bind(cache) : null;
  const wrapped = wrapRepos(store, read, () => cache.invalidate());
  // Inside a transaction reads must see its own writes: once it wrote identity records they
  // bypass the cache; before that, what the cache holds is what they would read (a batch's
  // sends look up their recipients here), but a value read inside is never remembered. A
  // write drops the cache at once and again after the commit (a read in between may have
  // refilled it).
  //
  // The wrapped store of a transaction is made once per store the engine hands out (SQLite
  // hands every transaction the same one, and runs their callbacks one after another), with
  // the state of the transaction whose callback runs now swapped in when it starts.
  const inside = new WeakMap<Store, { wrapped: Store; state: TxState }>();
  const txStore = (inner: Store, state: TxState): Store => {
    let entry = inside.get(inner);
    if (!entry) {
      const made = { wrapped: inner, state };
      const onWrite = async () => {
        made.state.wrote = true;
        cache.drop();
      };
      const hitsOnly: Read | null = cache.enabled ? (key, load) => (made.state.wrote ? load() : (cache.peek(key) ?? load())) : null;
      made.wrapped = inTransaction(inner, hitsOnly, onWrite);
      inside.set(inner, (entry = made));
    }
    entry.state = state;
    return entry.wrapped;
  };
  wrapped.tx = async (fn) => {
    const state: TxState = { wrote: false };
    const result = await store.tx((inner) => fn(txStore(inner, state)));
    if (state.wrote) await cache.invalidate();
    return result;
  };
  // Outside a transaction a savepoint is a transaction of its own.
  wrapped.savepoint = (fn) => wrapped.tx(fn);
  return wrapped;
}

/** What a transaction did that matters after it: whether it wrote identity records. */
interface TxState {
  wrote: boolean;
}

/** A transaction's store: reads through `read`, writes call `onWrite`, also in nested calls and savepoints. */
function inTransaction(store: Store, read: Read | null, onWrite: () => Promise<void>): Store {
  const wrapped = wrapRepos(store, read, onWrite);
  const rewrap = (inner: Store) => (inner === store ? wrapped : inTransaction(inner, read, onWrite));
  wrapped.tx = (fn) => store.tx((inner) => fn(rewrap(inner)));
  wrapped.savepoint = (fn) => store.savepoint((inner) => fn(rewrap(inner)));
  return wrapped;
}

type Read = <T>(key: string, load: () => Promise<T>) => Promise<T>;

function wrapRepos(store: Store, read: Read | null, onWrite: () => Promise<void>): Store {
  const wrapped: Store = { ...store };
  for (const name of Object.keys(CACHED)) {
    const key = name as 'users';
    wrapped[key] = wrapRepo(name, store[key] as unknown as Repo, read, onWrite) as unknown as Store['users'];
  }
  return wrapped;
}

function wrapRepo(name: string, repo: Repo, read: Read | null, onWrite: () => Promise<void>): Repo {
  const cached = CACHED_SETS.get(name)!;
  const harmless = HARMLESS_SETS.get(name)!;
  // Each method's wrapper is made once (every call reaches it through the proxy), and again
  // only should the repository's method be replaced.
  const made = new Map<string, { method: unknown; wrapper: unknown }>();
  const wrap = (target: Repo, prop: string, method: (...args: unknown[]) => Promise<unknown>): unknown => {
    if (cached.has(prop) && read) {
      const prefix = `${name}.${prop}:`;
      // One number (an id, the most common read) is keyed as JSON.stringify([n]) would, without the array.
      return (...args: unknown[]) =>
        read(args.length === 1 && typeof args[0] === 'number' && Number.isFinite(args[0]) ? `${prefix}[${args[0]}]` : prefix + JSON.stringify(args), () => method.apply(target, args));
    }
    if (cached.has(prop) || harmless.has(prop)) return method.bind(target);
    return async (...args: unknown[]) => {
      try {
        return await method.apply(target, args);
      } finally {
        await onWrite();
      }
    };
  };
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const known = made.get(prop);
      if (known?.method === value) return known.wrapper;
      const wrapper = wrap(target, prop, value as (...args: unknown[]) => Promise<unknown>);
      made.set(prop, { method: value, wrapper });
      return wrapper;
    },
  });
}
