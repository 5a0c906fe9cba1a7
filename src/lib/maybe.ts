/**
 * Values that are there at once or later (`T | Promise<T>`), and promises whose value is
 * already known. WHY: a REST call whose every step is served from memory (limits off or kept
 * in memory, identity records cached) need not wait a microtask per step; the steps that can
 * answer at once do, and `settle` continues at once with them.
 */

/** Values of promises known to have fulfilled (the identity cache marks its entries). */
const fulfilled = new WeakMap<Promise<unknown>, { value: unknown }>();

/** Records that `promise` fulfilled with `value`, so `settle` need not wait for it. */
export function markFulfilled<T>(promise: Promise<T>, value: T): void {
  fulfilled.set(promise, { value });
}

/** A promise fulfilled with `value`, marked so: `settle` goes on with it at once, `await` as ever. */
export function fulfilledWith<T>(value: T): Promise<T> {
  const promise = Promise.resolve(value);
  markFulfilled(promise, value);
  return promise;
}

/**
 * `next(value)`, at once when `value` is not a promise or a promise marked fulfilled; else
 * once it fulfils. A throw in `next` run at once is thrown to the caller (else it rejects).
 */
export function settle<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  if (!(value instanceof Promise)) return next(value);
  const known = fulfilled.get(value);
  return known ? next(known.value as T) : value.then(next);
}

/** Resolves once `promise` settles (fulfilled or not) or `ms` have passed, whichever comes first. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
