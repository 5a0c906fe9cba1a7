// The page's texts and formats in the language the server chose (the user's setting, else the
// browser's Accept-Language): the server embeds the dictionary as a JSON data block, so the
// first paint is already translated and this module only reads it.
const data = (() => {
  try {
    return JSON.parse(document.getElementById('i18n-data')?.textContent ?? '');
  } catch {
    return null;
  }
})() ?? { lang: 'en', texts: {} };

export const lang = data.lang;
const plural = new Intl.PluralRules(lang);

/** `t(key, {name: 'x', count: 2})`: placeholders filled, plural form chosen by `count`. */
export function t(key, vars = {}) {
  const entry = data.texts[key];
  let text = key;
  if (typeof entry === 'string') text = entry;
  else if (entry && typeof entry === 'object') text = entry[plural.select(Number(vars.count ?? 0))] ?? entry.other ?? key;
  // Numbers are written the language's way (1 204 in Russian, 1,204 in English).
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) return whole;
    return typeof vars[name] === 'number' ? numberFormat.format(vars[name]) : String(vars[name]);
  });
}

/**
 * A notification type's (`module|event`) or a module's name in the page's language (keys
 * `types.<module>.<event>`); `fallback`, the schema's own name, for one no language file names.
 */
export function typeName(id, fallback) {
  const text = data.texts[`types.${String(id).replace('|', '.')}`];
  return typeof text === 'string' ? text : fallback;
}

const numberFormat = new Intl.NumberFormat(lang);
const dateTimeFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long' });
const dayYearFormat = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' });
const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });

export function formatNumber(n) {
  return numberFormat.format(n);
}

function asDate(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The exact date and time, for titles and history. */
export function formatDate(value) {
  const d = asDate(value);
  return d ? dateTimeFormat.format(d) : String(value ?? '');
}

/** "5 minutes ago", "yesterday"…: the largest unit that fits; past a week, the date itself. */
export function relativeTime(value, now = Date.now()) {
  const d = asDate(value);
  if (!d) return String(value ?? '');
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return t('time.now');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return formatDate(d);
}

function dayKey(d) {
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** The heading of a day group: Today, Yesterday, the weekday within a week, else the date. */
export function dayLabel(value, now = new Date()) {
  const d = asDate(value);
  if (!d) return '';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(d) === dayKey(now)) return t('day.today');
  if (dayKey(d) === dayKey(yesterday)) return t('day.yesterday');
  return d.getFullYear() === now.getFullYear() ? dayFormat.format(d) : dayYearFormat.format(d);
}

/** A key that is equal for two dates of the same local day. */
export function sameDayKey(value) {
  const d = asDate(value);
  return d ? dayKey(d) : '';
}
