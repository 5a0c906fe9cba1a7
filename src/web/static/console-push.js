// The console's Web Push card: every browser subscribed to push, per user, and revoking one
// (it gets no more pushes until its user switches push on again on that device).
import { currentSession } from './common.js';
import { el, formatDate, labelled, t, toast } from './console-kit.js';

const $ = (id) => document.getElementById(id);
let sessid = '';

async function call(path, post = false) {
  const init = post ? { method: 'POST', credentials: 'same-origin', headers: { 'X-Sessid': sessid } } : { credentials: 'same-origin' };
  const res = await fetch(`/console/api/push-subscriptions${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error_description ?? data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

const when = (iso) => (iso ? formatDate(iso) : '—');
const columns = () => [t('console.id'), t('console.push.user'), t('console.push.service'), t('console.push.device'), t('console.push.subscribed'), t('console.push.lastPush'), t('console.push.lastError'), t('console.actions')];

function row(s) {
  const revoke = el('button', {
    class: 'revoke',
    onclick: async () => {
      try {
        await call(`/${s.id}/revoke`, true);
        toast(t('console.push.revoked', { id: s.id }));
      } catch (err) {
        toast(err.message, 'error');
      }
      void load();
    },
  }, t('console.push.revoke'));
  return labelled(el('tr', { dataset: { id: String(s.id) } },
    el('td', {}, s.id), el('td', {}, s.user_login ?? s.user_id), el('td', {}, s.push_service), el('td', { class: 'reason' }, s.user_agent),
    el('td', {}, when(s.created_at)), el('td', {}, when(s.last_success_at)), el('td', { class: 'reason' }, s.last_error), el('td', { class: 'row-actions' }, revoke)), columns());
}

function render(subscriptions) {
  $('push-subscriptions').replaceChildren(...(subscriptions.length
    ? subscriptions.map(row)
    : [el('tr', {}, el('td', { colspan: String(columns().length), class: 'muted' }, t('console.push.none')))]));
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
  const cols = columns();
  $('console')?.append(el('section', { id: 'push-card', class: 'card wide', 'aria-labelledby': 'push-title' },
    el('h2', { id: 'push-title' }, t('console.push.title')),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('console.push.title') }, el('table', { class: 'stack' },
      el('thead', {}, el('tr', {}, ...cols.map((c, i) => el('th', { scope: 'col' }, i === cols.length - 1 ? el('span', { class: 'sr-only' }, c) : c)))),
      el('tbody', { id: 'push-subscriptions' }))),
    el('button', { id: 'push-refresh', type: 'button', onclick: () => void load() }, t('console.refresh'))));
  render(first.subscriptions);
  document.body.dataset.pushSubscriptions = 'ready';
}

void start();
