/**
 * The one error type of notify24, and the shape of a catalog entry. Anything below the HTTP
 * edge throws a RestError built by one of the catalog's factories (errors/rest.ts, oauth.ts,
 * web.ts); the edge renders it once as `{error, error_description}` with its status.
 */

/** Which part of the server answers with the code (docs/errors.md groups by it). */
export type ErrorOrigin = 'rest' | 'oauth' | 'login' | 'console' | 'push' | 'metrics' | 'mail';

export class RestError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status: number = 400,
    /** Extra top-level keys of the error body, e.g. `argument` for ERROR_ARGUMENT. */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `Retry-After` on a throttled sign-in. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'RestError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/** One line of the catalog, as docs/errors.md lists it. */
export interface CatalogEntry {
  code: string;
  status: number;
  /** The default text; `{name}` marks a part filled in per call. */
  text: string;
  origin: ErrorOrigin;
  /** When the server answers with it, in a few words. */
  when: string;
}

/** A catalog entry that is also the factory of its error: `throw errors.methodNotFound()`. */
export type ErrorFactory<A extends unknown[] = []> = ((...args: A) => RestError) & Readonly<CatalogEntry>;

/** What a call may change of an entry's default: the text (placeholders filled) and extra body keys. */
export interface Variant {
  text?: string;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Declares one catalog entry; `vary` turns the factory's arguments into a variant. */
export function defineError<A extends unknown[] = []>(entry: CatalogEntry, vary?: (...args: A) => Variant): ErrorFactory<A> {
  const make = (...args: A): RestError => {
    const variant = vary ? vary(...args) : {};
    return new RestError(entry.code, variant.text ?? entry.text, entry.status, variant.extra ?? {}, variant.headers ?? {});
  };
  return Object.assign(make, entry);
}
