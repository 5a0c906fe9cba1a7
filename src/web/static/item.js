// One notification as a row: who, when (relative, exact on hover), unread as text, its content,
// confirm buttons or a quick answer, and the row's actions. Every field goes through
// textContent or the BB/attach renderer, never HTML.
import { el } from './common.js';
import { renderAttachments, renderBb } from './bbcode.js';
import { formatDate, relativeTime, t } from './i18n.js';

function parseButtons(raw) {
  try {
    const list = typeof raw === 'string' ? JSON.parse(raw) : raw;
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** The portal's "accept" green marks the positive answer; any other color is the negative one. */
function confirmButtons(n, onConfirm) {
  const buttons = parseButtons(n.notify_buttons).map((b) => {
    const value = String(b.COMMAND_PARAMS ?? '').split('|').slice(1).join('|') || String(b.VALUE ?? '');
    return el('button', {
      type: 'button',
      class: `confirm ${/^#8bc84b$/i.test(b.BG_COLOR ?? '') ? 'accept' : 'decline'}`,
      dataset: { value },
      onclick: () => onConfirm(n, value),
    }, String(b.TEXT ?? b.TITLE ?? value));
  });
  return buttons.length ? el('div', { class: 'buttons' }, buttons) : null;
}

function answerBox(n, onAnswer) {
  if (n.params?.CAN_ANSWER !== 'Y') return null;
  const input = el('input', { name: 'answer', placeholder: t('item.quickAnswer'), 'aria-label': t('item.quickAnswer'), maxlength: 2000 });
  return el('form', {
    class: 'answer',
    onsubmit: (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (text) onAnswer(n, text, e.target, input);
    },
  }, input, el('button', { type: 'submit' }, t('item.reply')));
}

/** A `<time>` showing "5 minutes ago", the exact date on hover; refreshed by `refreshTimes`. */
export function timeElement(date) {
  return el('time', { datetime: String(date ?? ''), title: formatDate(date) }, relativeTime(date));
}

export function refreshTimes(root = document) {
  for (const node of root.querySelectorAll('time[datetime]')) node.textContent = relativeTime(node.getAttribute('datetime'));
}

/**
 * `handlers`: {authorName, confirm, answer, toggleRead, remove}; without toggleRead/remove the
 * row has no actions (history results).
 */
export function renderItem(n, handlers) {
  const unread = n.notify_read !== 'Y';
  const pinned = n.notify_type === 1;
  const li = el('li', {
    class: `item${unread ? ' unread' : ''}${pinned ? ' pinned' : ''}`,
    dataset: { id: String(n.id) },
    tabindex: '-1',
  },
    el('span', { class: 'dot', 'aria-hidden': 'true' }),
    el('div', { class: 'body' },
      el('div', { class: 'meta' },
        // Screen readers hear the state as a word; sighted users see the dot, tint and weight.
        unread ? el('span', { class: 'sr-only' }, `${t('item.unread')}: `) : null,
        el('span', { class: 'author' }, handlers.authorName(n.author_id)),
        timeElement(n.date),
      ),
      n.notify_title ? el('div', { class: 'title' }, String(n.notify_title)) : null,
      el('div', { class: 'text' }, renderBb(n.text)),
      n.params?.ATTACH ? renderAttachments(n.params.ATTACH) : null,
      pinned && handlers.confirm ? confirmButtons(n, handlers.confirm) : null,
      handlers.answer ? answerBox(n, handlers.answer) : null,
    ),
  );
  if (handlers.toggleRead && handlers.remove) {
    li.append(el('div', { class: 'actions', role: 'group', 'aria-label': t('item.actions') },
      el('button', { type: 'button', class: 'toggle-read', onclick: () => handlers.toggleRead(n) }, unread ? t('item.markRead') : t('item.markUnread')),
      el('button', { type: 'button', class: 'delete', onclick: () => handlers.remove(n) }, t('item.delete')),
    ));
  }
  return li;
}
