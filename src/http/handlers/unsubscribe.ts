import type { Clock } from '../../lib/clock.ts';
import { webErrors } from '../../errors/web.ts';
import { escapeHtml } from '../../notify/bbcode.ts';
import { NOTIFICATION_TYPES } from '../../notify/schema.ts';
import type { UnsubscribeLinks } from '../../delivery/mail/unsubscribe.ts';
import type { Store } from '../../store/port/store.ts';
import { pickLanguage, translate, typeName } from '../../web/i18n.ts';
import { readBody } from '../body.ts';
import { html, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

export interface UnsubscribeDeps {
  store: Store;
  clock: Clock;
  unsubscribeLinks: UnsubscribeLinks;
}

const typeNames = (lang: string, keys: string[]) => keys.map((k) => typeName(lang, k, NOTIFICATION_TYPES.find((t) => t.id === k)?.name ?? k));

function page(lang: string, title: string, body: string): Reply {
  return html(
    `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)} · notify24</title><link rel="stylesheet" href="/web/style.css"></head>` +
      `<body><main><section class="card"><h1>${escapeHtml(title)}</h1>${body}</section></main></body></html>`,
    200,
    { 'Content-Language': lang, Vary: 'Accept-Language' },
  );
}

/**
 * The one-click unsubscribe link of every mail (RFC 8058). A mail program POSTs to it
 * (`List-Unsubscribe=One-Click`) and that switches e-mail off for the mail's types. A GET —
 * a person's click, or a link scanner's — changes nothing: it shows a button that POSTs.
 */
export function unsubscribeHandlers(deps: UnsubscribeDeps) {
  async function verified(req: HttpRequest) {
    const link = await deps.unsubscribeLinks.verify(req.url.searchParams);
    if (!link) throw webErrors.badUnsubscribeLink();
    return link;
  }
  /** The page speaks the mail's recipient's language: their setting, else the browser's. */
  async function language(req: HttpRequest, userId: number) {
    const { language: chosen } = await deps.store.preferences.get(userId);
    const lang = pickLanguage(chosen, req.headers['accept-language']);
    return { lang, t: (key: string) => escapeHtml(translate(lang, key)) };
  }
  return {
    async confirm(req: HttpRequest): Promise<Reply> {
      const link = await verified(req);
      const { lang, t } = await language(req, link.userId);
      const names = typeNames(lang, link.typeKeys).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
      return page(
        lang,
        translate(lang, 'unsubscribe.confirmTitle'),
        `<p>${t('unsubscribe.confirmText')}</p><ul>${names}</ul>` +
          `<form method="post" action="${escapeHtml(req.url.pathname + req.url.search)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
          `<button type="submit">${t('unsubscribe.button')}</button></form><p class="muted">${t('unsubscribe.stillInCenter')}</p>`,
      );
    },
    async unsubscribe(req: HttpRequest): Promise<Reply> {
      await readBody(req.raw, 4096).catch(() => Buffer.alloc(0)); // `List-Unsubscribe=One-Click`; the URL says what to do
      const link = await verified(req);
      const known = link.typeKeys.filter((k) => NOTIFICATION_TYPES.some((t) => t.id === k));
      await deps.store.deliverySettings.setOverrides(link.userId, known.map((typeKey) => ({ typeKey, channel: 'email', enabled: false })), deps.clock.now());
      const { lang, t } = await language(req, link.userId);
      const names = typeNames(lang, known).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
      return page(lang, translate(lang, 'unsubscribe.doneTitle'), `<p>${t('unsubscribe.doneText')}</p><ul>${names}</ul><p>${t('unsubscribe.switchBack')}</p>`);
    },
  };
}
