import type { Clock } from '../../lib/clock.ts';
import { webErrors } from '../../errors/web.ts';
import { escapeHtml } from '../../notify/bbcode.ts';
import { NOTIFICATION_TYPES } from '../../notify/schema.ts';
import type { UnsubscribeLinks } from '../../delivery/mail/unsubscribe.ts';
import type { Store } from '../../store/port/store.ts';
import { readBody } from '../body.ts';
import { html, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

export interface UnsubscribeDeps {
  store: Store;
  clock: Clock;
  unsubscribeLinks: UnsubscribeLinks;
}

const typeNames = (keys: string[]) => keys.map((k) => NOTIFICATION_TYPES.find((t) => t.id === k)?.name ?? k);

function page(title: string, body: string): Reply {
  return html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)} · notify24</title><link rel="stylesheet" href="/web/style.css"></head>` +
      `<body><main><section class="card"><h1>${escapeHtml(title)}</h1>${body}</section></main></body></html>`,
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
  return {
    async confirm(req: HttpRequest): Promise<Reply> {
      const link = await verified(req);
      const names = typeNames(link.typeKeys).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
      return page(
        'Stop these e-mails?',
        `<p>You will no longer get e-mails for:</p><ul>${names}</ul>` +
          `<form method="post" action="${escapeHtml(req.url.pathname + req.url.search)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
          `<button type="submit">Unsubscribe</button></form><p class="muted">The notifications still appear in the notification center.</p>`,
      );
    },
    async unsubscribe(req: HttpRequest): Promise<Reply> {
      await readBody(req.raw, 4096).catch(() => Buffer.alloc(0)); // `List-Unsubscribe=One-Click`; the URL says what to do
      const link = await verified(req);
      const known = link.typeKeys.filter((k) => NOTIFICATION_TYPES.some((t) => t.id === k));
      await deps.store.deliverySettings.setOverrides(link.userId, known.map((typeKey) => ({ typeKey, channel: 'email', enabled: false })), deps.clock.now());
      const names = typeNames(known).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
      return page('Unsubscribed', `<p>E-mail is now off for:</p><ul>${names}</ul><p>Switch it back on in the notification center's settings.</p>`);
    },
  };
}
