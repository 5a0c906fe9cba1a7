import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { PAGE_HEADERS } from './http-util.ts';

/**
 * Beside this module when run from the sources; from the prebuilt bundle (dist/, see
 * scripts/build.mjs) the pages are still read from the sources, which are always shipped.
 */
const STATIC_DIR = [new URL('./static/', import.meta.url), new URL('../src/web/static/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir))!;

/** URL path → file in src/web/static. A fixed list, so no path from a request reaches the disk. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'center.html', type: 'text/html; charset=utf-8' },
  '/console': { file: 'console.html', type: 'text/html; charset=utf-8' },
  '/web/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/web/common.js': { file: 'common.js', type: 'text/javascript; charset=utf-8' },
  '/web/bbcode.js': { file: 'bbcode.js', type: 'text/javascript; charset=utf-8' },
  '/web/auth-forms.js': { file: 'auth-forms.js', type: 'text/javascript; charset=utf-8' },
  '/web/history.js': { file: 'history.js', type: 'text/javascript; charset=utf-8' },
  '/web/push.js': { file: 'push.js', type: 'text/javascript; charset=utf-8' },
  '/web/center.js': { file: 'center.js', type: 'text/javascript; charset=utf-8' },
  '/web/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
};

export function isStaticPath(pathname: string): boolean {
  return Object.hasOwn(FILES, pathname);
}

export async function sendStatic(res: ServerResponse, pathname: string): Promise<true> {
  const entry = FILES[pathname]!;
  const body = await readFile(STATIC_DIR + entry.file);
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': entry.type,
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
  });
  res.end(body);
  return true;
}
