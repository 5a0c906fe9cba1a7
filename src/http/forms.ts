import type { ServerResponse } from 'node:http';

/** Sign-in, consent and token forms are tiny; anything larger is not one of them. */
export const FORM_LIMIT = 16 * 1024;

/** A form field as text: anything but a string (absent, an array, a nested object) is ''. */
export function formText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Sends the browser on (302 or 303), never cached; `headers` may add e.g. a Set-Cookie. */
export function redirect(res: ServerResponse, status: 302 | 303, location: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0, ...headers });
  res.end();
  return true;
}
