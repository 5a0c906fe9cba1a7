import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

/**
 * The pages' languages: one JSON file per language in src/web/i18n/ (`<code>.json`), read once.
 * A text is a string with `{name}` placeholders, or for counted things an object of plural
 * forms (`one`, `few`, `many`, `other`, as Intl.PluralRules names them). `en` is complete and
 * the fallback for any key another language lacks; `_name` is the language's own name.
 */
export type Text = string | Partial<Record<Intl.LDMLPluralRule, string>>;
export type Dictionary = Record<string, Text>;

export const DEFAULT_LANGUAGE = 'en';

/** The folder, from the prebuilt bundle (dist/) or from this module in the sources. */
const DIR = [new URL('../src/web/i18n/', import.meta.url), new URL('./i18n/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(dir))!;

function load(): Map<string, Dictionary> {
  const out = new Map<string, Dictionary>();
  for (const name of readdirSync(DIR).sort()) {
    const m = /^([a-z]{2,3}(?:-[A-Z]{2})?)\.json$/.exec(name);
    if (m) out.set(m[1]!, JSON.parse(readFileSync(DIR + name, 'utf8')) as Dictionary);
  }
  return out;
}

const DICTIONARIES = load();
const FALLBACK = DICTIONARIES.get(DEFAULT_LANGUAGE)!;

/** Every language code with a file, with its own name (for the language switch). */
export function languages(): { code: string; name: string }[] {
  return [...DICTIONARIES].map(([code, d]) => ({ code, name: typeof d._name === 'string' ? d._name : code }));
}

export function isLanguage(code: string): boolean {
  return DICTIONARIES.has(code);
}

/** The language's texts with English filling any gap: what a page embeds for its script. */
export function dictionary(lang: string): Dictionary {
  return { ...FALLBACK, ...(DICTIONARIES.get(lang) ?? {}) };
}

/**
 * The user's own choice when it names a language we have, else the best `Accept-Language`
 * entry we have (by q, then order; `ru-RU` matches `ru`), else English.
 */
export function pickLanguage(chosen: string | null | undefined, acceptLanguage: string | undefined): string {
  if (chosen && DICTIONARIES.has(chosen)) return chosen;
  const ranked = String(acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((e) => e.tag && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (DICTIONARIES.has(tag)) return tag;
    const primary = tag.split('-')[0]!;
    if (DICTIONARIES.has(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

/** `{name}` placeholders filled from `vars`; a plural text picks its form by `vars.count`. */
export function translate(lang: string, key: string, vars: Record<string, string | number> = {}): string {
  const entry = DICTIONARIES.get(lang)?.[key] ?? FALLBACK[key] ?? key;
  let text: string;
  if (typeof entry === 'string') text = entry;
  else {
    const form = new Intl.PluralRules(lang).select(Number(vars.count ?? 0));
    text = entry[form] ?? entry.other ?? key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/**
 * A notification type's (`module|event`) or a module's name in `lang` (keys
 * `types.<module>.<event>`); `fallback`, the schema's own name, for one no language file names.
 */
export function typeName(lang: string, id: string, fallback: string): string {
  const key = `types.${id.replace('|', '.')}`;
  const text = DICTIONARIES.get(lang)?.[key] ?? FALLBACK[key];
  return typeof text === 'string' ? text : fallback;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page template in `lang`: `{{key}}` becomes the escaped text, `{{lang}}` the code,
 * `{{theme}}` the user's theme, and `<!--i18n-->` a JSON data block with the dictionary for the
 * page's script (a data block is not executed, so the no-inline-script policy still holds;
 * `<` is escaped so no text can close the element).
 */
export function renderPage(template: string, lang: string, theme: string): string {
  const data = JSON.stringify({ lang, texts: dictionary(lang) }).replace(/</g, '\\u003c');
  return template
    .replace(/\{\{lang\}\}/g, lang)
    .replace(/\{\{theme\}\}/g, escapeHtml(theme))
    .replace(/\{\{([a-z][\w.-]*)\}\}/gi, (_, key: string) => escapeHtml(translate(lang, key)))
    .replace('<!--i18n-->', `<script type="application/json" id="i18n-data">${data}</script>`);
}
