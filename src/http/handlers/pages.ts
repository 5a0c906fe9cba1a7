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

/** The files under /web/: a fixed list, so no path from a request reaches the disk. */
export const ASSETS: Record<string, string> = {
  'style.css': 'text/css; charset=utf-8',
  'common.js': JS,
  'i18n.js': JS,
  'bbcode.js': JS,
  'auth-forms.js': JS,
  'history.js': JS,
  'push.js': JS,
  'center.js': JS,
  'inbox.js': JS,
  'item.js': JS,
  'tabs.js': JS,
  'shortcuts.js': JS,
  'connection.js': JS,
  'counter.js': JS,
  'preferences-ui.js': JS,
  'device-push.js': JS,
  'linked-notification.js': JS,
  'console-push.js': JS,
  'console.js': JS,
  // The console's sections and their parts, one file each (console.js lists which to load):
  // adding a section is adding its file, never a path a request could choose.
  ...Object.fromEntries(
    readdirSync(STATIC_DIR)
      .filter((name) => /^console-[a-z-]+\.(js|css)$/.test(name))
      .map((name) => [name, name.endsWith('.css') ? 'text/css; charset=utf-8' : JS]),
  ),
  'delivery-settings.js': JS,
};

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
