import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sessionFromHeaders, type SessionDeps } from '../../identity/web-sessions.ts';
import { DEFAULT_PREFERENCES } from '../../store/port/preferences.ts';
import { pickLanguage, renderPage } from '../../web/i18n.ts';
import { file, html, text, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

/**
 * src/web/static, found from the prebuilt bundle (dist/, see scripts/build.mjs: it reads the
 * pages from the sources, which are always shipped) or from this module in the sources.
 */
const STATIC_DIR = [new URL('../src/web/static/', import.meta.url), new URL('../../web/static/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir))!;

const JS = 'text/javascript; charset=utf-8';

const TYPES: Record<string, string> = { js: JS, css: 'text/css; charset=utf-8' };

/**
 * The files under /web/: every script and style of src/web/static, listed once at start, so no
 * path from a request reaches the disk and adding a file is all it takes to serve it. The
 * service worker is served at the root instead (its scope must cover the center).
 */
export const ASSETS: Record<string, string> = Object.fromEntries(
  readdirSync(STATIC_DIR)
    .filter((name) => /^[a-z0-9-]+\.(js|css)$/.test(name) && name !== 'sw.js')
    .map((name) => [name, TYPES[name.slice(name.lastIndexOf('.') + 1)]!]),
);

async function staticFile(name: string, type: string, cacheControl = 'no-cache'): Promise<Reply> {
  return file(await readFile(STATIC_DIR + name), type, cacheControl);
}

/**
 * The notification center, the console, their scripts and styles, the icon. The two pages are
 * templates rendered in the reader's language and theme: the signed-in user's choice, else the
 * browser's `Accept-Language` (and `prefers-color-scheme`), so they vary by both.
 */
export function pageHandlers(deps: SessionDeps) {
  async function page(req: HttpRequest, name: string): Promise<Reply> {
    const session = await sessionFromHeaders(deps, req.headers);
    const prefs = session ? await deps.store.preferences.get(session.userId) : DEFAULT_PREFERENCES;
    const lang = pickLanguage(prefs.language, req.headers['accept-language']);
    const template = await readFile(STATIC_DIR + name, 'utf8');
    return html(renderPage(template, lang, prefs.theme), 200, {
      'Cache-Control': 'no-cache',
      Vary: 'Cookie, Accept-Language',
      'Content-Language': lang,
    });
  }
  return {
    center: (req: HttpRequest) => page(req, 'center.html'),
    console: (req: HttpRequest) => page(req, 'console.html'),
    asset: (req: HttpRequest) => {
      const name = req.params.file!;
      return Object.hasOwn(ASSETS, name) ? staticFile(name, ASSETS[name]!) : text(404, 'Not found\n');
    },
    favicon: () => staticFile('favicon.ico', 'image/x-icon', 'public, max-age=86400'),
    /** The center's service worker (Web Push), at the root so its scope covers the center. */
    serviceWorker: async () => {
      const reply = await staticFile('sw.js', JS);
      reply.headers['Service-Worker-Allowed'] = '/';
      return reply;
    },
  };
}
