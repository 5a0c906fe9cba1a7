/** A `/rest/...` address taken apart. */
export interface RestPath {
  method: string;
  format: 'json' | 'xml';
  webhook: { user: string; code: string } | null;
}

/**
 * `/rest/{method}` and `/rest/{userId}/{code}/{method}`, each with an optional `.json`/`.xml`
 * suffix and trailing `/`. Empty segments are skipped, so a hook URL ending in `/` (`//` before
 * the method, as b24phpsdk sends) works too. Null when the path has no such shape.
 */
export function parseRestPath(pathname: string): RestPath | null {
  if (!pathname.startsWith('/rest/')) return null;
  const rest = pathname.slice('/rest/'.length);
  let segments = rest.split('/').filter(Boolean);
  // Without a `%` decoding changes nothing (most paths).
  if (rest.includes('%')) {
    try {
      segments = segments.map(decodeURIComponent);
    } catch {
      return null;
    }
  }
  if (segments.length !== 1 && segments.length !== 3) return null;
  let method = segments[segments.length - 1]!;
  let format: RestPath['format'] = 'json';
  const dot = method.lastIndexOf('.');
  const suffix = dot >= 0 ? method.slice(dot + 1).toLowerCase() : '';
  if (suffix === 'json' || suffix === 'xml') {
    format = suffix;
    method = method.slice(0, dot);
  }
  const webhook = segments.length === 3 ? { user: segments[0]!, code: segments[1]! } : null;
  return { method, format, webhook };
}
