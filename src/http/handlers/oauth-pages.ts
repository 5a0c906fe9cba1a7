import type { RestError } from '../../errors/rest-error.ts';
import type { App } from '../../store/port/apps.ts';
import { escapeHtml, translate } from '../../web/i18n.ts';
import { html, type Reply } from '../reply.ts';

const STYLE = `:root{color-scheme:light dark}
body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;background:#fff}
h1{font-size:1.3rem}code{background:#f0f0f0;padding:0 .3em}
button{font:inherit;min-height:44px;padding:.4em 1.2em;margin-right:.6em;border-radius:6px;border:1px solid #767676;background:#fff;color:#222}
button[value=allow]{background:#1f5fcf;border-color:#1f5fcf;color:#fff}
@media (prefers-color-scheme:dark){body{background:#15181e;color:#e6e9ef}code{background:#2a2f39}button{background:#222833;color:#e6e9ef;border-color:#8a93a3}button[value=allow]{background:#8ab4ff;border-color:#8ab4ff;color:#0b1220}}`;

/**
 * Pages of /oauth/authorize/. The form may redirect to the application's own site, so the
 * page's form-action allows that origin besides ours (browsers apply it to the redirect).
 */
function page(status: number, lang: string, title: string, body: string, formTarget?: string): Reply {
  const text = `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
  const formAction = formTarget ? `'self' ${new URL(formTarget).origin}` : "'self'";
  return html(text, status, {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Language': lang,
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  });
}

/**
 * The portal shows its own error page (no redirect) when an authorization cannot start. The
 * error's description stays the catalog's (English, as the portal's codes and texts are).
 */
export function errorPage(err: RestError, lang: string): Reply {
  const title = translate(lang, 'consent.failed');
  return page(err.status, lang, title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(err.description)}</p>`);
}

/** Asks the signed-in user to approve the application; the form carries the session's sessid (CSRF). */
export function consentPage(app: App, fields: { state: string; sessid: string }, target: string, lang: string): Reply {
  const t = (key: string, vars: Record<string, string> = {}) => translate(lang, key, vars);
  // Texts are escaped first, then the already-escaped markup of the values goes in.
  const fill = (key: string, vars: Record<string, string>) =>
    escapeHtml(t(key)).replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
  const scopes = app.scopes.length ? app.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ') : escapeHtml(t('consent.noScopes'));
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const body = `<h1>${escapeHtml(t('consent.heading', { app: app.name || app.code || app.clientId }))}</h1>
<p>${fill('consent.scopes', { scopes })}</p>
<p>${fill('consent.returnTo', { origin: `<code>${escapeHtml(new URL(target).origin)}</code>` })}</p>
<form method="post" action="/oauth/authorize/">
${hidden('client_id', app.clientId)}${hidden('state', fields.state)}${hidden('sessid', fields.sessid)}
<button type="submit" name="decision" value="allow">${escapeHtml(t('consent.allow'))}</button><button type="submit" name="decision" value="deny">${escapeHtml(t('consent.deny'))}</button>
</form>`;
  return page(200, lang, t('consent.pageTitle'), body, target);
}
