// The integrator's console: users, webhooks, applications, and the live request inspector.
import { currentSession, el, toast } from './common.js';

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 200;
let session = null;

async function api(path, body) {
  const res = await fetch(`/console/api/${path}`, body === undefined
    ? { credentials: 'same-origin' }
    : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Sessid': session.sessid }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

// Focusable: the block scrolls when long, and keyboard users must be able to scroll it.
const pretty = (value) => el('pre', { tabindex: '0' }, JSON.stringify(value, null, 1) ?? '');

async function loadUsers() {
  const { users } = await api('users');
  $('users').replaceChildren(...users.map((u) => el('tr', {}, el('td', {}, u.id), el('td', {}, u.login), el('td', {}, [u.name, u.last_name].filter(Boolean).join(' ')), el('td', {}, u.is_admin ? 'yes' : ''))));
  $('webhook-form').user_id.replaceChildren(...users.map((u) => el('option', { value: String(u.id) }, `${u.id} · ${u.login}`)));
}

async function loadWebhooks() {
  const { webhooks } = await api('webhooks');
  $('webhooks').replaceChildren(...webhooks.map((w) => el('tr', { dataset: { id: String(w.id) } },
    el('td', {}, w.id), el('td', {}, w.user_id), el('td', {}, w.title), el('td', {}, w.scopes.join(', ')),
    el('td', {}, w.active
      ? el('button', { class: 'revoke', onclick: async () => { await api(`webhooks/${w.id}/revoke`, {}); toast(`Webhook ${w.id} revoked`); void loadWebhooks(); } }, 'Revoke')
      : 'revoked'))));
}

async function loadApps() {
  const { apps } = await api('apps');
  $('apps').replaceChildren(...(apps.length ? apps.map((a) => el('tr', {}, el('td', {}, a.id ?? ''), el('td', {}, a.name ?? a.title ?? ''), el('td', {}, a.clientId ?? a.client_id ?? ''), el('td', {}, [].concat(a.scopes ?? a.scope ?? []).join(', '))))
    : [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No applications'))]));
}

function callRow(c) {
  const outcome = c.error
    ? el('span', { class: 'err' }, `${c.error.error}: ${c.error.error_description}`)
    : el('span', { class: 'ok' }, pretty(c.result));
  return el('tr', { dataset: { seq: String(c.seq), method: c.method } },
    el('td', {}, new Date(c.at).toLocaleTimeString()), el('td', {}, c.method, c.fault ? el('span', { class: 'err fault' }, ` ${c.fault}`) : ''),
    el('td', {}, c.auth ?? '—', c.userId ? ` #${c.userId}` : ''), el('td', {}, pretty(c.params)), el('td', {}, outcome), el('td', {}, c.durationMs));
}

function addCall(c) {
  const body = $('calls');
  body.prepend(callRow(c));
  while (body.children.length > MAX_ROWS) body.lastElementChild.remove();
}

async function startInspector() {
  const { calls } = await api('inspector');
  calls.forEach(addCall);
  const source = new EventSource('/console/api/inspector/stream');
  source.onmessage = (e) => { try { addCall(JSON.parse(e.data)); } catch { /* ignore */ } };
}

function wireForms() {
  $('user-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      await api('users', { login: f.login.value, name: f.name.value, password: f.password.value, is_admin: f.is_admin.checked });
      f.reset();
      toast('User added');
      void loadUsers();
    } catch (err) { toast(err.message, 'error'); }
  });
  $('webhook-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try {
      const scopes = f.scopes.value.split(/[\s,]+/).filter(Boolean);
      const { url } = await api('webhooks', { user_id: Number(f.user_id.value), title: f.title.value, scopes });
      $('new-url').hidden = false;
      $('new-url').textContent = `${url} — copy it now, it is shown only once`;
      void loadWebhooks();
    } catch (err) { toast(err.message, 'error'); }
  });
}

/** Why the console is not shown: not signed in (a way to sign in), or not an administrator (no such link). */
function deny(title, text, link, href) {
  $('denied-title').textContent = title;
  $('denied-text').textContent = text;
  $('denied-link').textContent = link;
  $('denied-link').href = href;
  $('denied').hidden = false;
  document.body.dataset.ready = 'denied';
}

async function start() {
  session = await currentSession();
  const me = session ? await api('me').then((r) => r.user, () => null) : null;
  if (!me) return deny('Sign in first', 'The console is for administrators of this server.', 'Sign in', '/');
  if (!me.is_admin) {
    return deny('Not an administrator', `You are signed in as ${me.login}, who is not an administrator of this server. An administrator can make you one.`, 'Back to notifications', '/');
  }
  await loadUsers();
  $('console').hidden = false;
  wireForms();
  await Promise.all([loadWebhooks(), loadApps(), startInspector()]);
  document.body.dataset.ready = '1';
}

void start();
