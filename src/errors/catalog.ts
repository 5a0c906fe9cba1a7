import { oauthErrors } from './oauth.ts';
import { defineError, type CatalogEntry, type RestError } from './rest-error.ts';
import { errors } from './rest.ts';
import { webErrors } from './web.ts';

/** Every error the server can answer with, in the order docs/errors.md lists them. */
export function errorCatalog(): (CatalogEntry & { name: string })[] {
  return [errors, oauthErrors, webErrors].flatMap((group) =>
    Object.entries(group).map(([name, e]) => ({ name, code: e.code, status: e.status, text: e.text, origin: e.origin, when: e.when })),
  );
}

/**
 * The error a REST or OAuth client would get for `code`, with its default text (placeholders
 * left as written), or null when the catalog has no such code: what fault injection answers.
 */
export function catalogError(code: string): RestError | null {
  const entry = errorCatalog().find((e) => e.code === code && (e.origin === 'rest' || e.origin === 'oauth'));
  return entry ? defineError({ code: entry.code, status: entry.status, text: entry.text, origin: entry.origin, when: entry.when })() : null;
}

const ORIGIN_TITLES: Record<CatalogEntry['origin'], string> = {
  rest: 'REST API (`/rest/...`)',
  oauth: 'OAuth 2.0 server (`/oauth/authorize/`, `/oauth/token/`)',
  login: 'Signing in (`/login`, `/logout`, `/session`)',
  console: 'Console API (`/console/api/...`)',
  push: 'Push channel (`/ws`, `/events/stream`)',
  metrics: 'Metrics (`/metrics`)',
  mail: 'E-mail links (`/mail/unsubscribe`)',
};

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The tables of docs/errors.md, one per origin, generated from the catalog (a test keeps them equal). */
export function errorTables(): string {
  const entries = errorCatalog();
  return (Object.keys(ORIGIN_TITLES) as CatalogEntry['origin'][])
    .map((origin) => {
      const rows = entries
        .filter((e) => e.origin === origin)
        .map((e) => `| \`${e.code}\` | ${e.status} | ${e.text ? cell(e.text) : '(empty)'} | ${cell(e.when)} |`);
      return [`### ${ORIGIN_TITLES[origin]}`, '', '| code | HTTP | text | when |', '|---|---|---|---|', ...rows].join('\n');
    })
    .join('\n\n');
}
