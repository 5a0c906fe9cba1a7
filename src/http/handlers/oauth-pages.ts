import type { RestError } from '../../errors/rest-error.ts';
import type { App } from '../../store/port/apps.ts';
import { html, type Reply } from '../reply.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}code{background:#f3f3f3;padding:0 .3em}button{font:inherit;padding:.4em 1.2em;margin-right:.6em}`;

/**
 * Pages of /oauth/authorize/. The form may redirect to the application's own site, so the
 * page's form-action allows that origin besides ours (browsers apply it to the redirect).
 */
function page(status: number, title: string, body: string, formTarget?: string): Reply {
  const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  const formAction = formTarget ? `'self' ${new URL(formTarget).origin}` : "'self'";
  return html(text, status, {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  });
}

/** The portal shows its own error page (no redirect) when an authorization cannot start. */
export function errorPage(err: RestError): Reply {
  return page(err.status, 'Authorization failed', `<h1>Authorization failed</h1><p>${escapeHtml(err.description)}</p>`);
}

/** Asks the signed-in user to approve the application; the form carries the session's sessid (CSRF). */
export function consentPage(app: App, fields: { state: string; sessid: string }, target: string): Reply {
  const scopes = app.scopes.length ? app.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ') : 'no scopes';
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const body = `<h1>Allow “${escapeHtml(app.name || app.code || app.clientId)}”?</h1>
<p>The application asks to act on your behalf with these permissions: ${scopes}.</p>
<p>You will be sent back to <code>${escapeHtml(new URL(target).origin)}</code>.</p>
<form method="post" action="/oauth/authorize/">
${hidden('client_id', app.clientId)}${hidden('state', fields.state)}${hidden('sessid', fields.sessid)}
<button type="submit" name="decision" value="allow">Allow</button><button type="submit" name="decision" value="deny">Deny</button>
</form>`;
  return page(200, 'Authorize application', body, target);
}
