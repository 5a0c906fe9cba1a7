// The console's e-mail outbox: each mail queued, sent, failed, cancelled or captured (no SMTP),
// the mail rendered for it (a preview for those still waiting), and retrying failed ones.
import { currentSession } from './common.js';
import { el, formatDate, formatNumber, labelled, t, toast } from './console-kit.js';

const $ = (id) => document.getElementById(id);
let sessid = '';

async function call(path, post = false) {
  const init = post ? { method: 'POST', credentials: 'same-origin', headers: { 'X-Sessid': sessid } } : { credentials: 'same-origin' };
  const res = await fetch(`/console/api/outbox${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error_description ?? data.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

const when = (ms) => (ms ? formatDate(ms) : '');
/** The table's column names, for the phone-width cards (console-kit.js labelled). */
const headers = () => [...document.querySelectorAll('#outbox-card thead th')].map((th) => th.textContent.trim());

function showMail(data) {
  const box = $('outbox-mail');
  const { item, mail } = data;
  if (!mail) {
    box.replaceChildren(el('p', { class: 'muted' }, t('console.outbox.gone', { id: item.id })));
    box.hidden = false;
    return;
  }
  // The mail's HTML in a sandboxed frame: no scripts, no same-origin access.
  const frame = el('iframe', { class: 'mail-html', sandbox: '', title: t('console.outbox.htmlPart'), srcdoc: mail.html });
  box.replaceChildren(
    el('h3', {}, t(mail.preview ? 'console.outbox.preview' : 'console.outbox.mail', { id: item.id })),
    el('dl', { class: 'mail-head' },
      el('dt', {}, t('console.outbox.to')), el('dd', {}, mail.to),
      el('dt', {}, t('console.outbox.subject')), el('dd', {}, mail.subject),
      ...Object.entries(mail.headers).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h4', {}, t('console.outbox.textPart')), el('pre', { class: 'mail-text' }, mail.text),
    el('h4', {}, t('console.outbox.htmlPart')), frame,
  );
  box.hidden = false;
}

function row(i) {
  const actions = [
    el('button', { class: 'view', onclick: async () => showMail(await call(`/${i.id}`)) }, t('console.outbox.view')),
    i.state === 'failed'
      ? el('button', { class: 'retry', onclick: async () => {
        try { await call(`/${i.id}/retry`, true); toast(t('console.outbox.retried', { id: i.id })); void load(); } catch (err) { toast(err.message, 'error'); }
      } }, t('console.outbox.retry'))
      : null,
  ];
  return labelled(el('tr', { dataset: { id: String(i.id), state: i.state } },
    el('td', {}, i.id), el('td', {}, i.user_login ?? i.user_id), el('td', {}, i.notification_id), el('td', {}, i.type),
    el('td', {}, el('span', { class: `state state-${i.state}` }, t(`console.outbox.${i.state}`))),
    el('td', {}, i.state === 'queued' ? t('console.outbox.due', { time: when(i.due_at) }) : when(i.finished_at)),
    el('td', {}, formatNumber(i.attempts)), el('td', { class: 'reason' }, i.last_error), el('td', { class: 'row-actions' }, ...actions)), headers());
}

async function load() {
  const state = $('outbox-state').value;
  const { items } = await call(state ? `?state=${encodeURIComponent(state)}` : '');
  $('outbox').replaceChildren(...(items.length ? items.map(row) : [el('tr', {}, el('td', { colspan: '9', class: 'muted' }, t('console.outbox.none')))]));
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
