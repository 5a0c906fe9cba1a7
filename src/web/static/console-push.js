// The console's Web Push card: every browser subscribed to push, per user, and revoking one
// (it gets no more pushes until its user switches push on again on that device).
import { currentSession, el, toast } from './common.js';

const $ = (id) => document.getElementById(id);
let sessid = '';

async function call(path, post = false) {
  const init = post ? { method: 'POST', credentials: 'same-origin', headers: { 'X-Sessid': sessid } } : { credentials: 'same-origin' };
  const res = await fetch(`/console/api/push-subscriptions${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error_description ?? data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const COLUMNS = ['ID', 'User', 'Push service', 'Device', 'Subscribed', 'Last push', 'Last error', ''];

function row(s) {
  const revoke = el('button', {
    class: 'revoke',
    onclick: async () => {
      try {
        await call(`/${s.id}/revoke`, true);
        toast(`Push subscription ${s.id} revoked`);
      } catch (err) {
        toast(err.message, 'error');
      }
      void load();
    },
  }, 'Revoke');
  return el('tr', { dataset: { id: String(s.id) } },
    el('td', {}, s.id), el('td', {}, s.user_login ?? s.user_id), el('td', {}, s.push_service), el('td', { class: 'reason' }, s.user_agent),
    el('td', {}, when(s.created_at)), el('td', {}, when(s.last_success_at)), el('td', { class: 'reason' }, s.last_error), el('td', {}, revoke));
}

function render(subscriptions) {
  $('push-subscriptions').replaceChildren(...(subscriptions.length
    ? subscriptions.map(row)
    : [el('tr', {}, el('td', { colspan: String(COLUMNS.length), class: 'muted' }, 'No browser has switched push on'))]));
}

async function load() {
  render((await call('')).subscriptions);
}

async function start() {
  const session = await currentSession();
  if (!session) return;
  sessid = session.sessid;
  let first;
  try {
    first = await call('');
  } catch {
    return; // not an administrator: the console says so itself
  }
  $('console')?.append(el('section', { id: 'push-card', class: 'card wide' },
    el('h2', {}, 'Push subscriptions'),
    el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...COLUMNS.map((c) => el('th', {}, c)))),
      el('tbody', { id: 'push-subscriptions' }))),
    el('button', { id: 'push-refresh', type: 'button', onclick: () => void load() }, 'Refresh')));
  render(first.subscriptions);
  document.body.dataset.pushSubscriptions = 'ready';
}

void start();
