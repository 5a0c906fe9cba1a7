import { randomInt } from 'node:crypto';
import { decodedJson, intval, isEmpty, isMap, phpTrim, strval } from '../rest/php.ts';
import { safeAttachHtml } from './attach-html.ts';
import { htmlToBbCode } from './html-to-bb.ts';
import { errors } from '../errors/rest.ts';

/**
 * ATTACH of the sending methods, normalised as the portal's attach parser does it, field by
 * field and in its key order (docs/notify.md, "ATTACH"): full form `{BLOCKS, COLOR, COLOR_TOKEN,
 * DESCRIPTION}` or a bare block list, given as a structure or a JSON string. Each element is
 * checked on its own and dropped when invalid; an attach with nothing left is an error only when
 * the raw value was truthy. Nested keys are upper case: the portal folds only top-level keys.
 */
export interface Attach {
  ID: number;
  BLOCKS: Record<string, unknown>[];
  DESCRIPTION: string;
  COLOR: string;
  COLOR_TOKEN: string;
}

/** The serialised attach must stay below this many characters (PHP json_encode length). */
export const ATTACH_MAX_CHARS = 60_000;

const attachError = errors.attachError;
const attachOversize = errors.attachOversize;

type Fields = Record<string, unknown>;

/** What the portal picks from when no valid colour is given. */
const PALETTE = ['#df532d', '#4ba984', '#4ba5c3', '#3e99ce', '#6e7edc', '#8474c8', '#1eb4aa', '#f76187', '#58cc47', '#ab7761'];
const COLOR_TOKENS = new Set(['primary', 'secondary', 'alert', 'base']);
const GRID_DISPLAYS = new Set(['BLOCK', 'LINE', 'CARD', 'ROW', 'COLUMN', 'TABLE']);

/** PHP `isset`: present and not null. */
const set = (v: unknown) => v !== undefined && v !== null;
/** A PHP string from a request value (numbers and flags as PHP prints them). */
const str = (v: unknown) => strval(v);
const trimmed = (v: unknown) => phpTrim(str(v));
/** Every line break (`\R`) becomes one space. */
const oneLine = (s: string) => s.replace(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/g, ' ');
const breaks = (s: string) => s.replaceAll('#BR#', '[BR]');
const isHex = (v: unknown): v is string => typeof v === 'string' && /^#[a-fA-F0-9]{3}([a-fA-F0-9]{3})?$/.test(v);
/** The portal's URL rule, case-sensitive: `/`, `http://` or `https://` first. */
const isUrl = (v: unknown) => (typeof v === 'string' || typeof v === 'number') && /^(?:\/|https?:\/\/)/.test(String(v));
const positive = (v: unknown): number | null => (set(v) && intval(v) > 0 ? intval(v) : null);
const colorToken = (v: unknown): string => (typeof v === 'string' && COLOR_TOKENS.has(v) ? v : 'base');
/** A PHP list (keys 0..n-1 in order), as opposed to one element given as a map. */
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

/** Literal `\n`, `\t`, `\"` and `\\` inside every string of the attach become the characters they name. */
function unescapeSymbols(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\\n', '\n').replaceAll('\\t', '\t').replaceAll('\\"', '"').replaceAll('\\\\', '\\');
  if (Array.isArray(value)) return value.map(unescapeSymbols);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeSymbols(v)]));
  return value;
}

/** `NETWORK_ID`: its first character (HTML-escaped) and the number after it. */
function networkId(v: unknown): string {
  const s = [...str(v)];
  const first = (s[0] ?? '').replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);
  return `${first}${intval(s.slice(1).join(''))}`;
}

/** Each element given (one map, or a list of them) that `build` accepts, as a block of its own. */
function oneBlockEach(kind: string, v: unknown, build: (e: Fields) => Fields | null): Fields[] {
  const list = isList(v) ? v : [v];
  return list.flatMap((e) => {
    const built = isMap(e) ? build(e) : null;
    return built ? [{ [kind]: [built] }] : [];
  });
}

/** All elements (one map is wrapped) that `build` accepts, as one block. */
function oneBlockAll(kind: string, v: unknown, build: (e: Fields) => Fields | null): Fields[] {
  const list = isMap(v) ? [v] : isList(v) ? v : [];
  const built = list.flatMap((e) => {
    const b = isMap(e) ? build(e) : null;
    return b ? [b] : [];
  });
  return built.length ? [{ [kind]: built }] : [];
}

function user(e: Fields): Fields | null {
  if (!set(e.NAME) || trimmed(e.NAME) === '') return null;
  const out: Fields = { NAME: oneLine(str(e.NAME)), AVATAR_TYPE: 'USER' };
  if (set(e.NETWORK_ID)) out.NETWORK_ID = networkId(e.NETWORK_ID);
  else if (positive(e.USER_ID)) out.USER_ID = positive(e.USER_ID);
  else if (positive(e.CHAT_ID)) Object.assign(out, { CHAT_ID: positive(e.CHAT_ID), AVATAR_TYPE: 'CHAT' });
  else if (positive(e.BOT_ID)) Object.assign(out, { BOT_ID: positive(e.BOT_ID), AVATAR_TYPE: 'BOT' });
  else if (isUrl(e.LINK)) out.LINK = e.LINK;
  if (isUrl(e.AVATAR)) out.AVATAR = e.AVATAR;
  if (typeof e.AVATAR_TYPE === 'string' && ['CHAT', 'USER', 'BOT'].includes(e.AVATAR_TYPE)) out.AVATAR_TYPE = e.AVATAR_TYPE;
  return out;
}

/**
 * Who a LINK or RICH_LINK names: a network, user or chat id given with a NAME, else it must
 * carry a URL. Null when it names nothing.
 */
function linkTarget(e: Fields): Fields | null {
  if (set(e.NETWORK_ID) && set(e.NAME)) return { NETWORK_ID: networkId(e.NETWORK_ID) };
  if (positive(e.USER_ID) && set(e.NAME)) return { USER_ID: positive(e.USER_ID) };
  if (positive(e.CHAT_ID) && set(e.NAME)) return { CHAT_ID: positive(e.CHAT_ID) };
  return isUrl(e.LINK) ? {} : null;
}

function link(e: Fields): Fields | null {
  const out = linkTarget(e);
  if (!out) return null;
  if (set(e.NAME)) out.NAME = oneLine(trimmed(e.NAME));
  if (set(e.LINK)) out.LINK = e.LINK;
  if (set(e.DESC)) out.DESC = e.DESC;
  if (set(e.HTML)) out.HTML = safeAttachHtml(e.HTML);
  else if (isUrl(e.PREVIEW)) {
    out.PREVIEW = e.PREVIEW;
    if (positive(e.WIDTH)) out.WIDTH = positive(e.WIDTH);
    if (positive(e.HEIGHT)) out.HEIGHT = positive(e.HEIGHT);
  }
  return out;
}

function richLink(e: Fields): Fields | null {
  const out = linkTarget(e);
  if (!out) return null;
  if (set(e.NAME)) out.NAME = oneLine(trimmed(e.NAME));
  if (set(e.LINK)) out.LINK = e.LINK;
  if (set(e.DESC)) out.DESC = oneLine(trimmed(e.DESC));
  if (set(e.HTML)) out.HTML = safeAttachHtml(oneLine(trimmed(e.HTML)));
  if (isUrl(e.PREVIEW)) {
    const size = isMap(e.PREVIEW_SIZE) ? e.PREVIEW_SIZE : {};
    out.PREVIEW = e.PREVIEW;
    out.PREVIEW_SIZE = { HEIGHT: size.HEIGHT ?? 0, WIDTH: size.WIDTH ?? 0 };
  } else if (isUrl(e.EXTRA_IMAGE)) out.EXTRA_IMAGE = e.EXTRA_IMAGE;
  return out;
}

function gridItem(e: Fields): Fields | null {
  // The emptiness check reads DISPLAY as sent: only exactly `LINE` may be empty (not `CARD`, not `line`).
  if (e.DISPLAY !== 'LINE' && ((!set(e.NAME) && !set(e.VALUE)) || (trimmed(e.NAME) === '' && trimmed(e.VALUE) === ''))) return null;
  const display = typeof e.DISPLAY === 'string' && GRID_DISPLAYS.has(e.DISPLAY) ? e.DISPLAY : 'BLOCK';
  const out: Fields = {
    DISPLAY: display === 'COLUMN' ? 'ROW' : display === 'CARD' ? 'LINE' : display,
    NAME: oneLine(trimmed(e.NAME)),
    VALUE: breaks(trimmed(e.VALUE)),
  };
  if (isHex(e.COLOR)) out.COLOR = e.COLOR;
  for (const key of ['WIDTH', 'HEIGHT', 'USER_ID', 'CHAT_ID']) if (positive(e[key])) out[key] = positive(e[key]);
  if (isUrl(e.LINK)) out.LINK = e.LINK;
  out.COLOR_TOKEN = colorToken(e.COLOR_TOKEN);
  return out;
}

function image(e: Fields): Fields | null {
  if (!isUrl(e.LINK)) return null;
  const out: Fields = {};
  if (set(e.NAME) && trimmed(e.NAME) !== '') out.NAME = trimmed(e.NAME);
  out.LINK = e.LINK;
  if (positive(e.WIDTH)) out.WIDTH = positive(e.WIDTH);
  if (positive(e.HEIGHT)) out.HEIGHT = positive(e.HEIGHT);
  if (isUrl(e.PREVIEW)) out.PREVIEW = e.PREVIEW;
  return out;
}

function file(e: Fields): Fields | null {
  if (!isUrl(e.LINK)) return null;
  const out: Fields = { LINK: e.LINK };
  if (set(e.NAME) && trimmed(e.NAME) !== '') out.NAME = oneLine(trimmed(e.NAME));
  if (positive(e.SIZE)) out.SIZE = positive(e.SIZE);
  return out;
}

/** One raw block → zero or more blocks; the first kind present (not null) decides. */
function parseBlock(raw: Fields, attach: { description: string }): Fields[] {
  if (set(raw.USER)) return oneBlockEach('USER', raw.USER, user);
  if (set(raw.LINK)) return oneBlockEach('LINK', raw.LINK, link);
  if (set(raw.RICH_LINK)) return oneBlockEach('RICH_LINK', raw.RICH_LINK, richLink);
  if (set(raw.MESSAGE)) {
    const m = raw.MESSAGE;
    const withText = isMap(m) && set(m.TEXT);
    if (!withText && typeof m === 'object') return [];
    const message = breaks(trimmed(withText ? m.TEXT : m));
    if (message === '') return [];
    if (withText && m.AS_DESCRIPTION === 'Y') attach.description = message;
    return [{ MESSAGE: message }];
  }
  if (set(raw.GRID)) return oneBlockAll('GRID', isMap(raw.GRID) ? Object.values(raw.GRID) : raw.GRID, gridItem);
  if (set(raw.IMAGE)) return oneBlockAll('IMAGE', raw.IMAGE, image);
  if (set(raw.FILE)) return oneBlockAll('FILE', raw.FILE, file);
  if (set(raw.DELIMITER)) {
    const d = isMap(raw.DELIMITER) ? raw.DELIMITER : {};
    const out: Fields = { SIZE: positive(d.SIZE) ?? 200 };
    if (isHex(d.COLOR)) out.COLOR = d.COLOR;
    return [{ DELIMITER: out }];
  }
  return [];
}

/**
 * The length the portal measures: PHP's json_encode (Unicode unescaped) escapes `/` and the
 * line/paragraph separators, and the result is counted in characters.
 */
export function attachSize(attach: Attach): number {
  let size = 0;
  for (const c of JSON.stringify(attach)) size += c === '/' ? 2 : c === '\u2028' || c === '\u2029' ? 6 : 1;
  return size;
}

/**
 * The normalised attach of a sending call, null when none was given; throws ATTACH_ERROR or
 * ATTACH_OVERSIZE as the portal does. `nowSeconds` becomes the attach ID (a sent ID is ignored).
 */
export function parseAttach(raw: unknown, nowSeconds: number): Attach | null {
  if (isEmpty(raw)) return null;
  const value = unescapeSymbols(decodedJson(raw));
  if (!isMap(value) && !Array.isArray(value)) throw attachError();
  const full = isMap(value) && set(value.BLOCKS);
  const source = full ? value.BLOCKS : value;
  const rawBlocks = Array.isArray(source) ? source : isMap(source) ? Object.values(source) : [];
  const state = { description: full && set(value.DESCRIPTION) ? phpTrim(htmlToBbCode(oneLine(str(value.DESCRIPTION)))) : '' };
  const blocks = rawBlocks.filter(isMap).flatMap((b) => parseBlock(b, state));
  if (!blocks.length) throw attachError();
  const color = full ? value.COLOR : undefined;
  const attach: Attach = {
    ID: nowSeconds,
    BLOCKS: blocks,
    DESCRIPTION: state.description,
    // PHP's loose `==` makes `true` equal to 'TRANSPARENT' too.
    COLOR: color === 'TRANSPARENT' || color === true ? 'transparent' : isHex(color) ? color : PALETTE[randomInt(PALETTE.length)]!,
    COLOR_TOKEN: colorToken(full ? value.COLOR_TOKEN : undefined),
  };
  if (attachSize(attach) >= ATTACH_MAX_CHARS) throw attachOversize();
  return attach;
}
