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
  let segments = segmentsOf(pathname, '/rest/'.length);
  if (!segments) return null;
  // Without a `%` decoding changes nothing (most paths).
  if (pathname.includes('%', '/rest/'.length)) {
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

/**
 * The non-empty `/`-separated segments of `path` from `from` on, as `split('/').filter(Boolean)`
 * gives them; null as soon as there are more than three (no REST path has more).
 */
function segmentsOf(path: string, from: number): string[] | null {
  const segments: string[] = [];
  let i = from;
  while (i < path.length) {
    let j = path.indexOf('/', i);
    if (j < 0) j = path.length;
    if (j > i) {
      if (segments.length === 3) return null;
      segments.push(path.slice(i, j));
    }
    i = j + 1;
  }
  return segments;
}
