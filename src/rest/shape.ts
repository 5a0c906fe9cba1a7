import { errors } from '../errors/rest.ts';

/**
 * Bounds on the shape of a parameter set, whatever encoding brought it (docs/limits.md). JSON
 * may nest as deep as PHP's json_decode reads by default (512); deeper, the portal silently
 * reads no parameters at all, and we answer ERROR_PARAMS_TOO_DEEP instead. Form and query
 * parameters are bounded by their decoder (`lib/php-query.ts`).
 */
export const MAX_PARAM_DEPTH = 512;
/** Maps, lists and values one parameter set may hold (40,000 ids fit with room to spare). */
export const MAX_PARAM_VALUES = 100_000;
/** Different values a filter list may hold: each becomes a bound SQL variable. */
export const MAX_FILTER_VALUES = 1_000;

/**
 * Throws ERROR_PARAMS_TOO_DEEP or ERROR_PARAMS_TOO_LARGE when `value` is out of bounds. The walk
 * is a loop, not recursion: a recursive one would itself overflow the stack on the input it is
 * there to refuse. Values are counted as they are queued, so a huge list is refused before
 * its items are visited.
 */
export function checkShape(value: unknown): void {
  const pending: [unknown, number][] = [[value, 0]];
  let count = 1;
  while (pending.length) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_PARAM_DEPTH) throw errors.paramsTooDeep(MAX_PARAM_DEPTH);
    const children = Object.values(current);
    count += children.length;
    if (count > MAX_PARAM_VALUES) throw errors.paramsTooLarge(MAX_PARAM_VALUES);
    // Only maps and lists are walked further (a flat set of values is one look).
    for (const child of children) if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
}

/**
 * `values` as given, refused with ERROR_LIST_TOO_LONG when it holds more than MAX_FILTER_VALUES
 * different values (the store queries each different value once).
 */
export function boundedList<T>(name: string, values: T[]): T[] {
  if (values.length > MAX_FILTER_VALUES && new Set(values).size > MAX_FILTER_VALUES) throw errors.listTooLong(name, MAX_FILTER_VALUES);
  return values;
}
