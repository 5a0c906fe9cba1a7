// The notification center: list, counter, actions, history search, live updates.
import { currentSession, el, restClient, toast } from './common.js';
import { formatDate, formatNumber, t } from './i18n.js';
import { renderAttachments, renderBb } from './bbcode.js';
import { openPush } from './push.js';
import { initDevicePush } from './device-push.js';
import { signIn, wireSignOut } from './auth-forms.js';
import { ensureAuthorOption, initHistory } from './history.js';
import { initSettings, shownInCenter } from './delivery-settings.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);

const state = {
  rest: null,
  items: new Map(), // id → notification record
  users: new Map(), // id → display name
  cursor: null, // {LAST_ID, LAST_TYPE} of the next page, null before the first
  exhausted: false,
  loading: false,
  unread: 0,
};

function setCounter(value) {
  const n = Math.max(0, Number(value) || 0);
  state.unread = n;
  $('counter').textContent = formatNumber(n);
  $('counter').dataset.count = String(n);
  $('counter-text').textContent = n ? t('center.unread', { count: n }) : t('center.unreadNone');
  document.title = n ? t('center.titleUnread', { count: n }) : t('center.title');
}

function rememberUsers(users) {
  for (const u of Array.isArray(users) ? users : []) {
    const name = [u.first_name ?? u.name, u.last_name].filter(Boolean).join(' ') || u.name || `#${u.id}`;
    state.users.set(Number(u.id), name);
    ensureAuthorOption(Number(u.id), name);
  }
}

function authorName(id) {
  return Number(id) === 0 ? t('author.system') : state.users.get(Number(id)) ?? t('author.user', { id });
}

/** Confirms first, then newest first: the order of im.notify.get pages. */
function compare(a, b) {
  const ca = a.notify_type === 1 ? 0 : 1;
  const cb = b.notify_type === 1 ? 0 : 1;
  if (ca !== cb) return ca - cb;
  return String(b.date).localeCompare(String(a.date)) || b.id - a.id;
}

function parseButtons(raw) {
  try {
    const list = typeof raw === 'string' ? JSON.parse(raw) : raw;
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function confirmButtons(n) {
  const buttons = parseButtons(n.notify_buttons).map((b) => {
    const value = String(b.COMMAND_PARAMS ?? '').split('|').slice(1).join('|') || String(b.VALUE ?? '');
    return el('button', {
      class: `confirm ${/^#8bc84b$/i.test(b.BG_COLOR ?? '') ? 'accept' : 'decline'}`,
      dataset: { value },
      onclick: () => act(() => state.rest('im.notify.confirm', { NOTIFY_ID: n.id, NOTIFY_VALUE: value }), (r) => {
        showReply(r);
        removeItem(n.id);
      }),
    }, String(b.TEXT ?? b.TITLE ?? value));
  });
  return buttons.length ? el('div', { class: 'buttons' }, buttons) : null;
}

function answerBox(n) {
  if (n.params?.CAN_ANSWER !== 'Y') return null;
  const input = el('input', { name: 'answer', placeholder: t('item.quickAnswer'), 'aria-label': t('item.quickAnswer'), maxlength: 2000 });
  return el('form', {
    class: 'answer',
    onsubmit: (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      act(() => state.rest('im.notify.answer', { NOTIFY_ID: n.id, ANSWER_TEXT: text }), (r) => {
        input.value = '';
        showReply(r, t('item.answerSent'));
        e.target.classList.add('answered');
      });
    },
  }, input, el('button', { type: 'submit' }, t('item.reply')));
}

function showReply(result, fallback = t('item.done')) {
  const lines = Array.isArray(result?.result_message) ? result.result_message : [];
  toast(lines.length ? lines.join(' ') : fallback);
}

async function act(call, then) {
  try {
    then(await call());
  } catch (err) {
    toast(err.description ?? String(err), 'error');
  }
}

/** One notification as DOM; every field goes through textContent or the BB/attach renderer. */
function renderItem(n, withActions = true) {
  const unread = n.notify_read !== 'Y';
  const li = el('li', { class: `item${unread ? ' unread' : ''}${n.notify_type === 1 ? ' pinned' : ''}`, dataset: { id: String(n.id) } },
    el('div', { class: 'meta' },
      el('span', { class: 'author' }, authorName(n.author_id)),
      el('time', { datetime: String(n.date ?? '') }, formatDate(n.date)),
    ),
    n.notify_title ? el('div', { class: 'title' }, String(n.notify_title)) : null,
    el('div', { class: 'text' }, renderBb(n.text)),
    n.params?.ATTACH ? renderAttachments(n.params.ATTACH) : null,
    n.notify_type === 1 ? confirmButtons(n) : null,
    answerBox(n),
  );
  if (withActions) {
    li.append(el('div', { class: 'actions' },
      el('button', { class: 'toggle-read', onclick: () => setRead(n.id, unread) }, unread ? t('item.markRead') : t('item.markUnread')),
      el('button', { class: 'delete', onclick: () => act(() => state.rest('im.notify.delete', { ID: n.id }), () => removeItem(n.id)) }, t('item.delete')),
    ));
  }
  return li;
}

function render() {
  const list = $('list');
  // Types the user switched off for the center are kept (and counted) but not listed.
  const sorted = [...state.items.values()].filter(shownInCenter).sort(compare);
  list.replaceChildren(...sorted.map((n) => renderItem(n)));
  // "Mark all read" only when it would change something (confirms are read by answering them).
  $('read-all').hidden = !sorted.some((n) => n.notify_read !== 'Y' && n.notify_type !== 1);
  $('list-end').textContent = state.exhausted ? (sorted.length ? t('list.end') : t('empty.title')) : t('list.loading');
}

function upsert(n) {
  if (!n || !Number.isInteger(Number(n.id))) return;
  state.items.set(Number(n.id), { ...n, id: Number(n.id), notify_type: Number(n.notify_type) });
}

function removeItem(id) {
  state.items.delete(Number(id));
  render();
}

function setRead(id, read) {
  act(() => state.rest('im.notify.read', { ID: id, ACTION: read ? 'Y' : 'N', ONLY_CURRENT: 'Y' }), () => {
    markRead([id], read);
  });
}

function markRead(ids, read) {
  for (const id of ids) {
    const n = state.items.get(Number(id));
    if (n) n.notify_read = read ? 'Y' : 'N';
  }
  render();
}

async function loadPage() {
  if (state.loading || state.exhausted) return;
  state.loading = true;
  try {
    const params = { LIMIT: PAGE, ...(state.cursor ?? {}) };
    const page = await state.rest('im.notify.get', params);
    const items = Array.isArray(page?.notifications) ? page.notifications : [];
    rememberUsers(page?.users);
    if (state.cursor === null && page?.total_unread_count !== undefined) setCounter(page.total_unread_count);
    items.forEach(upsert);
    const last = items.at(-1);
    state.cursor = last ? { LAST_ID: last.id, LAST_TYPE: Number(last.notify_type) === 1 ? 1 : 3 } : state.cursor;
    state.exhausted = items.length < PAGE;
    render();
  } catch (err) {
    $('list-end').textContent = t('list.loadFailed', { error: err.description ?? err });
  } finally {
    state.loading = false;
  }
}

async function reload() {
  state.items.clear();
  state.cursor = null;
  state.exhausted = false;
  await loadPage();
}

/** Push commands from the server (see docs/notify.md for their parameters). */
function onPush(msg) {
  const p = msg.params ?? {};
  const ids = (Array.isArray(p.ids) ? p.ids : p.id !== undefined ? [p.id] : []).map(Number);
  switch (msg.command) {
    case 'resync': return void reload();
    case 'notifyAdd': {
      rememberUsers(p.users);
      const { counter: _counter, ...n } = p.notification ?? p;
      upsert(n);
      state.device?.notify(n, n.notify_title || authorName(n.author_id));
      break;
    }
    case 'notifyDelete': ids.forEach((id) => state.items.delete(id)); break;
    case 'notifyRead': markRead(ids, true); break;
    case 'notifyUnread': markRead(ids, false); break;
    case 'notifyReadAll':
      for (const n of state.items.values()) if (n.notify_type !== 1) n.notify_read = 'Y';
      break;
    default: break;
  }
  // Every change carries the unread count it left (docs/notify.md, push messages).
  if (typeof p.counter === 'number') setCounter(p.counter);
  render();
}

function showTab(name) {
  for (const tab of ['inbox', 'history', 'settings']) {
    $(tab).hidden = name !== tab;
    $(`tab-${tab}`).setAttribute('aria-selected', String(name === tab));
  }
}

function observeEnd(target, more) {
  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) more(); }).observe(target);
}

async function start() {
  const session = await currentSession();
  if (!session) {
    $('login').hidden = false;
    $('login-form').addEventListener('submit', signIn);
    return;
  }
  state.rest = restClient(session);
  $('center').hidden = false;
  $('user-nav').hidden = false;
  wireSignOut(session);
  void initDevicePush({ rest: state.rest, host: $('user-nav'), renderBb }).then((device) => { state.device = device; });
  const me = await state.rest('user.current').catch(() => null);
  $('me').textContent = me ? [me.NAME, me.LAST_NAME].filter(Boolean).join(' ') || me.LOGIN || '' : '';
  const whoami = await fetch('/console/api/me', { credentials: 'same-origin' }).then((r) => r.json()).catch(() => ({}));
  if (whoami.user?.is_admin) $('console-link').hidden = false;

  $('tab-inbox').onclick = () => showTab('inbox');
  $('tab-history').onclick = () => showTab('history');
  $('tab-settings').onclick = () => showTab('settings');
  $('read-all').onclick = () => act(() => state.rest('im.notify.read.all'), (r) => {
    for (const n of state.items.values()) if (n.notify_type !== 1) n.notify_read = 'Y';
    const counter = r?.newCounter ?? [...state.items.values()].filter((n) => n.notify_read !== 'Y').length;
    setCounter(counter);
    render();
  });
  const history = initHistory({ rest: state.rest, renderItem, rememberUsers });
  await initSettings({ rest: state.rest, panel: $('settings'), changed: render });

  // The first page is read after the channel is subscribed, so nothing added in between is lost
  // (a slow or failing channel only delays it a little).
  let subscribed;
  const ready = new Promise((resolve) => { subscribed = resolve; });
  openPush({
    onMessage: (msg) => { if (msg.command === 'ready') subscribed(); onPush(msg); },
    onState: (s) => { $('link-state').textContent = t(`link.${s}`); $('link-state').dataset.state = s; },
  });
  await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, 3000))]);
  await loadPage();
  observeEnd($('list-end'), loadPage);
  observeEnd($('results-end'), history.more);
  const users = await state.rest('user.get', {}).catch(() => []);
  rememberUsers((Array.isArray(users) ? users : []).map((u) => ({ id: u.ID, first_name: u.NAME, last_name: u.LAST_NAME, name: u.LOGIN })));
}

void start();
