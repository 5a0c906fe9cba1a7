import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { file, text, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

/**
 * src/web/static, found from the prebuilt bundle (dist/, see scripts/build.mjs: it reads the
 * pages from the sources, which are always shipped) or from this module in the sources.
 */
const STATIC_DIR = [new URL('../src/web/static/', import.meta.url), new URL('../../web/static/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir))!;

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

/** The files under /web/: a fixed list, so no path from a request reaches the disk. */
export const ASSETS: Record<string, string> = {
  'style.css': 'text/css; charset=utf-8',
  'common.js': JS,
  'bbcode.js': JS,
  'auth-forms.js': JS,
  'history.js': JS,
  'push.js': JS,
  'center.js': JS,
  'console.js': JS,
};

async function staticFile(name: string, type: string, cacheControl = 'no-cache'): Promise<Reply> {
  return file(await readFile(STATIC_DIR + name), type, cacheControl);
}

/** The notification center, the console, their scripts and styles, the icon. */
export const pages = {
  center: () => staticFile('center.html', HTML),
  console: () => staticFile('console.html', HTML),
  asset: (req: HttpRequest) => {
    const name = req.params.file!;
    return Object.hasOwn(ASSETS, name) ? staticFile(name, ASSETS[name]!) : text(404, 'Not found\n');
  },
  favicon: () => staticFile('favicon.ico', 'image/x-icon', 'public, max-age=86400'),
};
