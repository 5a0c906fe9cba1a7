// Shared by the center and the console: the session and REST calls with session authorization.

/** The signed-in session, or null: GET /session answers {user_id, sessid}. */
export async function currentSession() {
  const res = await fetch('/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) return null;
  const body = await res.json().catch(() => null);
  return body && body.user_id ? body : null;
}

export class RestFailure extends Error {
  constructor(code, description) {
    super(`${code}: ${description}`);
    this.code = code;
    this.description = description;
  }
}

/** POST /rest/<method>.json with the session cookie and `sessid`, as the portal's own page does. */
export function restClient(session) {
  // `init` adds fetch options (keepalive for calls sent while the page is closing).
  return async function rest(method, params = {}, init = {}) {
    const res = await fetch(`/rest/${encodeURIComponent(method)}.json`, {
      ...init,
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...params, sessid: session.sessid }),
    });
    const body = await res.json().catch(() => ({ error: 'BAD_RESPONSE', error_description: `HTTP ${res.status}` }));
    if (body.error) throw new RestFailure(body.error, body.error_description);
    return body.result;
  };
}

/** `el('div', {class: 'x'}, child, 'text')`: DOM built with properties and text nodes, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    // CSSOM, not the style attribute: the page's CSP forbids inline style attributes.
    else if (key === 'style') Object.assign(node.style, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * A `next` the page may go to after signing in: a path on this site, or null. Browsers drop
 * tabs and line breaks and read `\` as `/`, so those (raw or percent-encoded) and a leading
 * `//` disqualify it; what passes must also resolve to this origin. (The server applies the
 * same rule to the form's `next`.)
 */
export function localPath(value) {
  const loose = /[\u0000-\u001f\u007f\\]/;
  if (typeof value !== 'string' || value.length > 2048 || loose.test(value)) return null;
  const forms = [value.split(/[?#]/, 1)[0]];
  try {
    for (let i = 0; i < 2; i++) forms.push(decodeURIComponent(forms[forms.length - 1]));
  } catch {
    // a stray % stays literal
  }
  if (forms.some((form) => !/^\/(?![/\\])/.test(form) || loose.test(form))) return null;
  try {
    const url = new URL(value, location.origin);
    return url.origin === location.origin && !url.pathname.startsWith('//') ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

/** Only http(s) and same-site relative URLs become links or images; anything else (javascript:, data:) is dropped. */
export function safeUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim(), location.href);
    // Browsers accept hosts a strict parser refuses (the portal's defused "java script&#58; ..."
    // target): a link needs a real host name or address.
    if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname)) return null;
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** `#abc` / `#aabbcc` only: colors go into style properties, so nothing else may pass. */
export function safeColor(value) {
  return typeof value === 'string' && /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(value.trim()) ? value.trim() : null;
}

/** A short message; with `action` ({label, onClick}) it carries a button (e.g. Undo). Returns a closer. */
export function toast(text, kind = 'info', action = null, ms = 4000) {
  const box = document.getElementById('toasts');
  if (!box) return () => {};
  const item = el('div', { class: `toast ${kind}`, role: 'status' }, el('span', {}, text));
  const close = () => item.remove();
  if (action) item.append(el('button', { type: 'button', onclick: () => { close(); action.onClick(); } }, action.label));
  box.append(item);
  setTimeout(close, ms);
  return close;
}

/** Dates for the console too: the language-aware formats live in i18n.js. */
export { formatDate } from './i18n.js';
