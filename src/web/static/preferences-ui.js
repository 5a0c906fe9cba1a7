// The theme and language switches in the bar. The theme applies at once (data-theme on <html>,
// which style.css reads) and is saved for the user; a language change reloads the page, which
// the server renders in the new language.
import { el } from './common.js';

async function save(session, fields) {
  const res = await fetch('/preferences', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...fields, sessid: session.sessid }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

export async function initPreferences(session, { onError }) {
  const theme = document.getElementById('theme');
  const language = document.getElementById('language');
  const prefs = await fetch('/preferences', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (!prefs) return;
  for (const { code, name } of prefs.languages) language.append(el('option', { value: code, lang: code }, name));
  theme.value = prefs.theme;
  language.value = prefs.language;
  document.documentElement.dataset.theme = prefs.theme;

  theme.addEventListener('change', () => {
    document.documentElement.dataset.theme = theme.value;
    save(session, { theme: theme.value }).catch(onError);
  });
  language.addEventListener('change', () => {
    save(session, { language: language.value }).then(() => location.reload(), onError);
  });
}
