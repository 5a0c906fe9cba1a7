import type { IncomingHttpHeaders } from 'node:http';

/**
 * The value of cookie `name` in a request's Cookie header, or null. A value that is not valid
 * percent-encoding (`%E0%A4%A`) is skipped: the caller then sees no cookie, never an error.
 */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | null {
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // not a value; a later cookie of the same name may still be one
      }
    }
  }
  return null;
}
