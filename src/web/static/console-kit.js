// What every console section builds with: the console API client, tables, dialogs, copy
// buttons, the one-time secret box and small formatters. Sections are console-<name>.js files.
import { el, toast } from './common.js';
import { formatDate, formatNumber, t } from './i18n.js';

export { el, toast, t, formatDate, formatNumber };

/** A console API error: the catalog's code and its text (shown as is: it is already a sentence). */
export class ApiError extends Error {
  constructor(status, code, description) {
    super(description || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

/** `api(path)` GETs, `api(path, body)` POSTs JSON with the session's sessid (the console's CSRF token). */
export function consoleClient(session) {
  return async function api(path, body) {
    const init = body === undefined
      ? { credentials: 'same-origin' }
      : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Sessid': session.sessid }, body: JSON.stringify(body) };
    const res = await fetch(`/console/api/${path}`, init);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, data.error, data.error_description);
    return data;
  };
}

/** Runs an action from a button: the button is busy meanwhile, a failure becomes an error toast. */
export async function act(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    toast(err.message, 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * Names each cell of a row after its column: at phone width the rows of a `.stack` table are
 * drawn as cards, each value under its column's name (console-style.css).
 */
export function labelled(tr, headers) {
  [...tr.children].forEach((td, i) => {
    if (headers[i]) td.dataset.label = headers[i];
  });
  return tr;
}

/** A table in a horizontally scrolling box (cards at phone width); `empty` is shown as one row when there are none. */
export function table(label, headers, rows, empty) {
  const body = rows.length ? rows.map((tr) => labelled(tr, headers)) : [el('tr', {}, el('td', { colspan: String(headers.length), class: 'muted' }, empty))];
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label },
    el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, body)));
}

/** A labelled form field: `field(t('…'), el('input', {...}))`. */
export function field(label, control, hint) {
  return el('label', {}, el('span', {}, label), control, hint ? el('small', { class: 'hint' }, hint) : null);
}

/** A checkbox with its label beside it. */
export function checkbox(label, attrs = {}) {
  return el('label', { class: 'check' }, el('input', { type: 'checkbox', ...attrs }), el('span', {}, label));
}

/** A small pill that says a state in words (color is never the only signal). */
export function badge(text, kind = '') {
  return el('span', { class: `badge ${kind}` }, text);
}

/** Copies `text`; a browser without clipboard access gets the old selection-based copy. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el('textarea', { readonly: true, class: 'sr-only', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/** A button that copies `text` and says so. */
export function copyButton(text, label = t('console.copy')) {
  return el('button', {
    type: 'button',
    class: 'copy',
    dataset: { copy: text },
    onclick: async () => toast((await copyText(text)) ? t('console.copied') : t('console.copyFailed'), 'info'),
  }, label);
}

/**
 * What exists only in one answer (a webhook URL, a client secret): each value in a read-only
 * field that selects itself on focus, with a copy button, under a warning that it is not shown again.
 */
export function onceBox(title, items) {
  return el('div', { class: 'once', role: 'status' },
    el('strong', {}, title),
    el('p', {}, t('console.onceWarning')),
    items.map(({ label, value, hint }) => el('div', { class: 'once-row' },
      field(label, el('input', { readonly: true, value, onfocus: (e) => e.target.select(), spellcheck: 'false' }), hint),
      copyButton(value, t('console.copyWhat', { what: label })))));
}

/**
 * A modal dialog (the native <dialog>: focus kept inside, Escape closes). `content` is a node or
 * a list of them; with `submit`, the dialog is a form whose `onSubmit(form)` may throw to keep it
 * open (its message shown inside). Resolves with what onSubmit returned, or null when closed.
 */
export function openDialog({ title, content, submit, onSubmit, danger = false, wide = false }) {
  return new Promise((resolve) => {
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const closeButton = el('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, submit ? t('console.cancel') : t('console.close'));
    const actions = el('div', { class: 'dialog-actions' }, closeButton, submit ? el('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submit) : null);
    const form = el('form', { method: 'dialog' }, el('h2', { id: 'dialog-title' }, title), el('div', { class: 'dialog-body' }, content), error, actions);
    const dialog = el('dialog', { class: wide ? 'wide' : '', 'aria-labelledby': 'dialog-title' }, form);
    let result = null;
    form.addEventListener('submit', async (e) => {
      if (!onSubmit) return;
      e.preventDefault();
      const button = actions.querySelector('[type=submit]');
      button.disabled = true;
      try {
        result = (await onSubmit(form)) ?? true;
        dialog.close();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    (form.querySelector('input:not([readonly]), select, textarea') ?? closeButton).focus();
  });
}

/** "Are you sure?" for what cannot be undone: true when confirmed. */
export async function confirmAction(title, text, confirmLabel) {
  return Boolean(await openDialog({ title, content: el('p', {}, text), submit: confirmLabel, danger: true, onSubmit: () => true }));
}

/** A comma- or space-separated list typed into a field. */
export function listOf(value) {
  return String(value ?? '').split(/[\s,]+/).filter(Boolean);
}

/** A time shown compactly with the full date on hover. */
export function timeCell(ms) {
  if (ms === null || ms === undefined) return el('span', { class: 'dim' }, '—');
  return el('time', { datetime: new Date(ms).toISOString(), title: formatDate(ms) }, new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined));
}

/** JSON shown in a scrollable block. */
export function jsonBlock(value) {
  return el('pre', { class: 'json', tabindex: '0' }, JSON.stringify(value, null, 2) ?? '');
}
