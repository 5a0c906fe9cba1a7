// The inbox: the notifications loaded so far, grouped (waiting for an answer, then by day),
// paged as the user scrolls, kept current by push messages, with delete that can be undone.
import { el, toast } from './common.js';
import { dayLabel, sameDayKey, t } from './i18n.js';
import { renderItem } from './item.js';

const PAGE = 50;
/** A deleted notification stays restorable this long before the delete is sent. */
const UNDO_MS = 6_000;
const $ = (id) => document.getElementById(id);

/** Confirms first, then newest first: the order of im.notify.get pages. */
function compare(a, b) {
  const ca = a.notify_type === 1 ? 0 : 1;
  const cb = b.notify_type === 1 ? 0 : 1;
  if (ca !== cb) return ca - cb;
  return String(b.date).localeCompare(String(a.date)) || b.id - a.id;
}

/**
 * deps: {rest, act, showUnread, rememberUsers, itemHandlers, shown?, onAdded?}. `itemHandlers` renders a row's
 * author and confirm/answer; the inbox adds read and delete.
 */
export function createInbox(deps) {
  const items = new Map(); // id → notification record
  const rows = new Map(); // id → {sig, node}: unchanged rows are reused, so focus and typed answers survive
  const pending = new Map(); // id → {n, timer}: deleted on screen, not yet on the server
  let cursor = null; // {LAST_ID, LAST_TYPE} of the next page, null before the first
  let exhausted = false;
  let loading = false;
  let onRendered = () => {};

  const handlers = {
    ...deps.itemHandlers,
    toggleRead: (n) => setRead(n.id, n.notify_read !== 'Y'),
    remove: (n) => remove(n.id),
  };

  function rowFor(n) {
    const sig = `${n.notify_read}|${n.notify_type}|${deps.itemHandlers.authorName(n.author_id)}`;
    const cached = rows.get(n.id);
    if (cached && cached.sig === sig) return cached.node;
    const node = renderItem(n, handlers);
    rows.set(n.id, { sig, node });
    return node;
  }

  function group(key, label, list) {
    const id = `group-${key}`;
    return [el('h2', { class: 'day', id }, label), el('ul', { class: 'list', 'aria-labelledby': id }, list.map(rowFor))];
  }

  function render() {
    const active = document.activeElement;
    const hadFocus = $('list').contains(active);
    const sorted = [...items.values()].filter((n) => !deps.shown || deps.shown(n)).sort(compare);
    for (const id of rows.keys()) if (!items.has(id)) rows.delete(id);
    const groups = [];
    const confirms = sorted.filter((n) => n.notify_type === 1);
    if (confirms.length) groups.push(...group('confirm', t('item.pinned'), confirms));
    let day = null;
    let bucket = [];
    const flush = () => { if (bucket.length) groups.push(...group(day, dayLabel(bucket[0].date), bucket)); };
    for (const n of sorted.filter((x) => x.notify_type !== 1)) {
      const key = sameDayKey(n.date);
      if (key !== day) {
        flush();
        day = key;
        bucket = [];
      }
      bucket.push(n);
    }
    flush();
    $('list').replaceChildren(...groups);
    if (hadFocus && $('list').contains(active)) active.focus({ preventScroll: true });
    const empty = exhausted && sorted.length === 0;
    $('empty').hidden = !empty;
    $('list-end').textContent = empty ? '' : exhausted ? t('list.end') : t('list.loading');
    // "Mark all read" only when it would change something (confirms are read by answering them).
    $('read-all').hidden = $('inbox').hidden || !sorted.some((n) => n.notify_read !== 'Y' && n.notify_type !== 1);
    onRendered(hadFocus);
  }

  function upsert(n) {
    if (!n || !Number.isInteger(Number(n.id)) || pending.has(Number(n.id))) return;
    items.set(Number(n.id), { ...n, id: Number(n.id), notify_type: Number(n.notify_type) });
  }

  function markRead(ids, read) {
    for (const id of ids) {
      const n = items.get(Number(id));
      if (n) n.notify_read = read ? 'Y' : 'N';
    }
    render();
  }

  function setRead(id, read) {
    deps.act(() => deps.rest('im.notify.read', { ID: id, ACTION: read ? 'Y' : 'N', ONLY_CURRENT: 'Y' }), () => markRead([id], read));
  }

  function commitDelete(id) {
    const entry = pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(id);
    deps.rest('im.notify.delete', { ID: id }).catch((err) => {
      // Not deleted after all: show it again.
      items.set(id, entry.n);
      render();
      toast(err.description ?? String(err), 'error');
    });
  }

  function remove(id) {
    const n = items.get(Number(id));
    if (!n) return;
    items.delete(n.id);
    const timer = setTimeout(() => { closeToast(); commitDelete(n.id); }, UNDO_MS);
    pending.set(n.id, { n, timer });
    const closeToast = toast(t('item.deleted'), 'info', { label: t('item.undo'), onClick: () => undo(n.id) }, UNDO_MS);
    render();
  }

  /** Restores a pending delete: the one given, else the latest. */
  function undo(id = [...pending.keys()].at(-1)) {
    const entry = pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(id);
    items.set(id, entry.n);
    render();
  }

  // Leaving the page sends the deletes still waiting (keepalive lets them outlive the page).
  addEventListener('pagehide', () => {
    for (const id of [...pending.keys()]) {
      clearTimeout(pending.get(id).timer);
      pending.delete(id);
      deps.rest('im.notify.delete', { ID: id }, { keepalive: true }).catch(() => {});
    }
  });

  async function loadPage() {
    if (loading || exhausted) return;
    loading = true;
    try {
      const page = await deps.rest('im.notify.get', { LIMIT: PAGE, ...(cursor ?? {}) });
      const list = Array.isArray(page?.notifications) ? page.notifications : [];
      deps.rememberUsers(page?.users);
      if (cursor === null && page?.total_unread_count !== undefined) deps.showUnread(page.total_unread_count);
      list.forEach(upsert);
      const last = list.at(-1);
      cursor = last ? { LAST_ID: last.id, LAST_TYPE: Number(last.notify_type) === 1 ? 1 : 3 } : cursor;
      exhausted = list.length < PAGE;
      render();
    } catch (err) {
      $('list-end').textContent = t('list.loadFailed', { error: err.description ?? err });
    } finally {
      loading = false;
    }
  }

  async function reload() {
    items.clear();
    cursor = null;
    exhausted = false;
    await loadPage();
  }

  /** Push commands from the server (see docs/notify.md for their parameters). */
  function onPush(msg) {
    const p = msg.params ?? {};
    const ids = (Array.isArray(p.ids) ? p.ids : p.id !== undefined ? [p.id] : []).map(Number);
    switch (msg.command) {
      case 'resync': return void reload();
      case 'notifyAdd': {
        deps.rememberUsers(p.users);
        const { counter: _counter, ...n } = p.notification ?? p;
        upsert(n);
        deps.onAdded?.(n);
        break;
      }
      case 'notifyDelete': ids.forEach((id) => items.delete(id)); break;
      case 'notifyRead': markRead(ids, true); break;
      case 'notifyUnread': markRead(ids, false); break;
      case 'notifyReadAll':
        for (const n of items.values()) if (n.notify_type !== 1) n.notify_read = 'Y';
        break;
      default: break;
    }
    // Every change carries the unread count it left (docs/notify.md, push messages).
    if (typeof p.counter === 'number') deps.showUnread(p.counter);
    render();
  }

  function readAll() {
    deps.act(() => deps.rest('im.notify.read.all'), (r) => {
      for (const n of items.values()) if (n.notify_type !== 1) n.notify_read = 'Y';
      deps.showUnread(r?.newCounter ?? [...items.values()].filter((n) => n.notify_read !== 'Y').length);
      render();
    });
  }

  return {
    loadPage, reload, onPush, readAll, render, undo,
    removeItem: (id) => { items.delete(Number(id)); render(); },
    toggleRead: (id) => { const n = items.get(Number(id)); if (n) setRead(n.id, n.notify_read !== 'Y'); },
    remove: (id) => remove(Number(id)),
    rows: () => [...$('list').querySelectorAll('li.item')],
    set onRendered(fn) { onRendered = fn; },
  };
}
