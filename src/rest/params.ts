import { intval, isEmpty, strval } from './php.ts';

export type RawParams = Record<string, unknown>;

/**
 * Top-level keys upper-cased, the way the im handlers read them
 * (`array_change_key_case(..., CASE_UPPER)`): when two spellings arrive, the later one wins.
 * Not recursive: keys inside ATTACH, IDS, ... keep their case.
 */
export function upperKeys(params: RawParams): RawParams {
  const out: RawParams = {};
  for (const key in params) out[key.toUpperCase()] = params[key];
  return out;
}

/** Read access to a method's parameters with the coercions handlers need. */
export class Params {
  constructor(readonly values: RawParams) {}

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }
  get(key: string): unknown {
    return this.values[key];
  }
  int(key: string, fallback = 0): number {
    return this.has(key) ? intval(this.values[key]) : fallback;
  }
  str(key: string): string {
    return strval(this.values[key]);
  }
  empty(key: string): boolean {
    return isEmpty(this.values[key]);
  }
  /** `'Y'` flags compare exactly, as PHP's `=== 'Y'` does. */
  flag(key: string): boolean {
    return this.values[key] === 'Y';
  }
}
