// BB codes and attachments → DOM nodes. Every piece of user data becomes a text node or a
// checked attribute; nothing is ever parsed as HTML, so no field can inject markup or script.
import { el, safeColor, safeUrl } from './common.js';
import { t } from './i18n.js';

const SIMPLE = { b: 'strong', i: 'em', u: 'u', s: 's', code: 'code', quote: 'blockquote' };
const TOKEN = /\[(\/?)(b|i|u|s|url|color|user|code|quote|br)(?:=([^\]]*))?\]|#BR#|\n/gi;

function openNode(name, arg) {
  if (SIMPLE[name]) return el(SIMPLE[name]);
  if (name === 'color') {
    // The sender's color, blended toward the theme's text color (style.css, .bb-color) so any
    // color stays readable on light and dark backgrounds.
    const span = el('span', { class: 'bb-color' });
    if (safeColor(arg)) span.style.setProperty('--bb-color', safeColor(arg));
    return span;
  }
  if (name === 'user') return el('span', { class: 'bb-user', dataset: { userId: String(parseInt(arg, 10) || '') } });
  if (name === 'url') return el('a', { class: 'bb-url', dataset: { href: arg ?? '' } });
  return el('span');
}

/** Links get their href when closed: `[url]x[/url]` takes it from the text, `[url=x]` from the tag. */
function finishLink(a) {
  const href = safeUrl(a.dataset.href || a.textContent);
  delete a.dataset.href;
  if (!href) return a.replaceWith(el('span', { class: 'blocked-link', title: t('bbcode.linkRemoved') }, ...a.childNodes));
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
}

/** Renders `text` (BB code) into a new <span>. Unknown or unbalanced tags stay as text. */
export function renderBb(text) {
  const root = el('span', { class: 'bb' });
  const stack = [{ name: null, node: root }];
  const top = () => stack[stack.length - 1].node;
  let last = 0;
  const source = String(text ?? '');
  for (const m of source.matchAll(TOKEN)) {
    top().append(source.slice(last, m.index));
    last = m.index + m[0].length;
    const [whole, closing, rawName, arg] = m;
    const name = rawName?.toLowerCase();
    if (whole === '\n' || whole.toUpperCase() === '#BR#' || name === 'br') {
      top().append(el('br'));
    } else if (!closing) {
      const node = openNode(name, arg);
      top().append(node);
      stack.push({ name, node });
    } else if (stack.some((f) => f.name === name)) {
      while (stack.length > 1) {
        const frame = stack.pop();
        if (frame.name === 'url') finishLink(frame.node);
        if (frame.name === name) break;
      }
    } else {
      top().append(whole);
    }
  }
  top().append(source.slice(last));
  while (stack.length > 1) {
    const frame = stack.pop();
    if (frame.name === 'url') finishLink(frame.node);
  }
  return root;
}

const asList = (value) => (Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : []);

function link(href, label) {
  const url = safeUrl(href);
  return url
    ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, label)
    : el('span', { class: 'blocked-link', title: t('bbcode.linkRemoved') }, label);
}

function image(src, alt) {
  const url = safeUrl(src);
  return url ? el('img', { src: url, alt: alt ?? '', loading: 'lazy', referrerpolicy: 'no-referrer' }) : null;
}

const BLOCKS = {
  MESSAGE: (v) => el('div', { class: 'att-message' }, renderBb(v)),
  LINK: (v) => el('div', { class: 'att-link' },
    ...asList(v).map((l) => el('div', {}, link(l.LINK, l.NAME || l.LINK || ''), l.DESC ? el('div', { class: 'att-desc' }, renderBb(l.DESC)) : null, image(l.PREVIEW, l.NAME)))),
  IMAGE: (v) => el('div', { class: 'att-images' }, ...asList(v).map((i) => image(i.PREVIEW || i.LINK, i.NAME))),
  FILE: (v) => el('div', { class: 'att-files' }, ...asList(v).map((f) => el('div', {}, link(f.LINK, f.NAME || 'file'), f.SIZE ? ` (${Number(f.SIZE) || 0} B)` : ''))),
  DELIMITER: () => el('hr'),
  GRID: (v) => el('dl', { class: 'att-grid' }, ...asList(v).flatMap((g) => [el('dt', {}, String(g.NAME ?? '')), el('dd', {}, renderBb(g.VALUE))])),
  USER: (v) => el('div', { class: 'att-user' }, ...asList(v).map((u) => el('span', {}, image(u.AVATAR, ''), link(u.LINK, u.NAME || '')))),
};

/** One attachment (`{COLOR, BLOCKS}` or a bare block list) as a bordered card. */
function renderAttach(attach) {
  const blocks = Array.isArray(attach) ? attach : asList(attach?.BLOCKS);
  const color = safeColor(attach?.COLOR);
  const card = el('div', { class: 'attach', style: color ? { borderLeftColor: color } : null });
  for (const block of blocks) {
    if (!block || typeof block !== 'object') continue;
    for (const [kind, value] of Object.entries(block)) {
      const render = BLOCKS[kind.toUpperCase()];
      if (render) card.append(render(value));
    }
  }
  return card;
}

/** `params.ATTACH`: one attachment, a list of them, or a JSON string of either. */
export function renderAttachments(value) {
  let data = value;
  if (typeof data === 'string') {
    try { data = JSON.parse(data); } catch { return null; }
  }
  if (!data || typeof data !== 'object') return null;
  const list = Array.isArray(data) && data.length && !data.some((x) => x && (x.BLOCKS || Array.isArray(x))) ? [data] : asList(data);
  return el('div', { class: 'attachments' }, ...list.map(renderAttach));
}
