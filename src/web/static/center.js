// The notification center: wires the inbox, history, tabs, keyboard, connection state, counter
// and preferences together. Each concern lives in its own module.
import { currentSession, restClient, toast } from './common.js';
import { sameDayKey, t } from './i18n.js';
import { openPush } from './push.js';
import { initDevicePush } from './device-push.js';
import { showLinkedNotification } from './linked-notification.js';
import { renderBb } from './bbcode.js';
import { signIn, wireSignOut } from './auth-forms.js';
import { ensureAuthorOption, initHistory } from './history.js';
import { initSettings, shownInCenter } from './delivery-settings.js';
import { createInbox } from './inbox.js';
import { refreshTimes, renderItem } from './item.js';
import { initTabs } from './tabs.js';
import { initShortcuts } from './shortcuts.js';
import { connectionView } from './connection.js';
import { showUnread } from './counter.js';
import { initPreferences } from './preferences-ui.js';

const $ = (id) => document.getElementById(id);
const users = new Map(); // id → display name

function rememberUsers(list) {
  for (const u of Array.isArray(list) ? list : []) {
    const name = [u.first_name ?? u.name, u.last_name].filter(Boolean).join(' ') || u.name || `#${u.id}`;
    users.set(Number(u.id), name);
    ensureAuthorOption(Number(u.id), name);
  }
}

function authorName(id) {
  return Number(id) === 0 ? t('author.system') : users.get(Number(id)) ?? t('author.user', { id });
}

async function act(call, then) {
  try {
    then(await call());
  } catch (err) {
    toast(err.description ?? String(err), 'error');
  }
}

function showReply(result, fallback = t('item.done')) {
  const lines = Array.isArray(result?.result_message) ? result.result_message : [];
  toast(lines.length ? lines.join(' ') : fallback);
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
  const rest = restClient(session);
  $('center').hidden = false;
  $('user-nav').hidden = false;
  wireSignOut(session);
  let device = null; // this device's Web Push switch, once set up
  void initDevicePush({ rest, host: $('user-nav'), renderBb }).then((d) => { device = d; });
  showLinkedNotification();
  void initPreferences(session, { onError: (err) => toast(String(err.message ?? err), 'error') });
  const me = await rest('user.current').catch(() => null);
  $('me').textContent = me ? [me.NAME, me.LAST_NAME].filter(Boolean).join(' ') || me.LOGIN || '' : '';
  const whoami = await fetch('/console/api/me', { credentials: 'same-origin' }).then((r) => r.json()).catch(() => ({}));
  if (whoami.user?.is_admin) $('console-link').hidden = false;

  const inbox = createInbox({
    rest, act, showUnread, rememberUsers,
    // Types the user switched off for the center are kept (and counted) but not listed.
    shown: shownInCenter,
    onAdded: (n) => device?.notify(n, n.notify_title || authorName(n.author_id)),
    itemHandlers: {
      authorName,
      confirm: (n, value) => act(() => rest('im.notify.confirm', { NOTIFY_ID: n.id, NOTIFY_VALUE: value }), (r) => {
        showReply(r);
        inbox.removeItem(n.id);
      }),
      answer: (n, text, form, input) => act(() => rest('im.notify.answer', { NOTIFY_ID: n.id, ANSWER_TEXT: text }), (r) => {
        input.value = '';
        showReply(r, t('item.answerSent'));
        form.classList.add('answered');
      }),
    },
  });
  const history = initHistory({ rest, renderItem: (n) => renderItem(n, { authorName }), rememberUsers });
  initTabs($('center').querySelector('[role=tablist]'), (id) => {
    inbox.render(); // "Mark all read" belongs to the inbox only
    if (id === 'tab-history') history.opened();
  });
  $('read-all').onclick = () => inbox.readAll();
  await initSettings({ rest, panel: $('settings'), changed: () => inbox.render() });
  const keys = initShortcuts({
    rows: inbox.rows,
    isActive: () => !$('inbox').hidden,
    toggleRead: inbox.toggleRead,
    remove: inbox.remove,
    undo: () => inbox.undo(),
  });
  inbox.onRendered = (hadFocus) => keys.restore(hadFocus);
  // Relative times age every 30 s; at midnight "Today" becomes "Yesterday", so the groups are redrawn.
  let today = sameDayKey(Date.now());
  setInterval(() => {
    refreshTimes();
    if (sameDayKey(Date.now()) !== today) {
      today = sameDayKey(Date.now());
      inbox.render();
    }
  }, 30_000);

  // The first page is read after the channel is subscribed, so nothing added in between is lost
  // (a slow or failing channel only delays it a little).
  let subscribed;
  const ready = new Promise((resolve) => { subscribed = resolve; });
  const push = openPush({
    onMessage: (msg) => { if (msg.command === 'ready') subscribed(); inbox.onPush(msg); },
    onState: (state, info) => onState(state, info),
  });
  const onState = connectionView({ retryNow: () => push.retryNow() });
  await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, 3000))]);
  await inbox.loadPage();
  observeEnd($('list-end'), inbox.loadPage);
  observeEnd($('results-end'), history.more);
  const list = await rest('user.get', {}).catch(() => []);
  rememberUsers((Array.isArray(list) ? list : []).map((u) => ({ id: u.ID, first_name: u.NAME, last_name: u.LAST_NAME, name: u.LOGIN })));
  inbox.render();
}

void start();
