// The console's e-mail outbox: each mail queued, sent, failed, cancelled or captured (no SMTP),
// the mail rendered for it (a preview for those still waiting), and retrying failed ones.
import { currentSession, el, toast } from './common.js';

const $ = (id) => document.getElementById(id);
let sessid = '';

async function call(path, post = false) {
  const init = post ? { method: 'POST', credentials: 'same-origin', headers: { 'X-Sessid': sessid } } : { credentials: 'same-origin' };
  const res = await fetch(`/console/api/outbox${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error_description ?? data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

const when = (ms) => (ms ? new Date(ms).toLocaleString() : '');

function showMail(data) {
  const box = $('outbox-mail');
  const { item, mail } = data;
  if (!mail) {
    box.replaceChildren(el('p', { class: 'muted' }, `Mail ${item.id}: its notification or user is gone, nothing to render.`));
    box.hidden = false;
    return;
  }
  // The mail's HTML in a sandboxed frame: no scripts, no same-origin access.
  const frame = el('iframe', { class: 'mail-html', sandbox: '', title: 'HTML part', srcdoc: mail.html });
  box.replaceChildren(
    el('h3', {}, `${mail.preview ? 'Preview (not rendered yet)' : 'Mail'} for item ${item.id}`),
    el('dl', { class: 'mail-head' },
      el('dt', {}, 'To'), el('dd', {}, mail.to),
      el('dt', {}, 'Subject'), el('dd', {}, mail.subject),
      ...Object.entries(mail.headers).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h4', {}, 'Text part'), el('pre', { class: 'mail-text' }, mail.text),
    el('h4', {}, 'HTML part'), frame,
  );
  box.hidden = false;
}

function row(i) {
  const actions = [
    el('button', { class: 'view', onclick: async () => showMail(await call(`/${i.id}`)) }, 'View'),
    i.state === 'failed'
      ? el('button', { class: 'retry', onclick: async () => {
        try { await call(`/${i.id}/retry`, true); toast(`Mail ${i.id} queued again`); void load(); } catch (err) { toast(err.message, 'error'); }
      } }, 'Retry')
      : null,
  ];
  return el('tr', { dataset: { id: String(i.id), state: i.state } },
    el('td', {}, i.id), el('td', {}, i.user_login ?? i.user_id), el('td', {}, i.notification_id), el('td', {}, i.type),
    el('td', {}, el('span', { class: `state state-${i.state}` }, i.state)),
    el('td', {}, i.state === 'queued' ? `due ${when(i.due_at)}` : when(i.finished_at)),
    el('td', {}, i.attempts), el('td', { class: 'reason' }, i.last_error), el('td', {}, ...actions));
}

async function load() {
  const state = $('outbox-state').value;
  const { items } = await call(state ? `?state=${encodeURIComponent(state)}` : '');
  $('outbox').replaceChildren(...(items.length ? items.map(row) : [el('tr', {}, el('td', { colspan: '9', class: 'muted' }, 'No e-mails'))]));
}

async function start() {
  const session = await currentSession();
  if (!session) return;
  sessid = session.sessid;
  try {
    await load();
  } catch {
    return; // not an administrator: the console says so itself
  }
  $('outbox-card').hidden = false;
  $('outbox-state').addEventListener('change', () => void load());
  $('outbox-refresh').addEventListener('click', () => void load());
  document.body.dataset.outbox = 'ready';
}

void start();
