import { randomInt } from 'node:crypto';
import { decodedJson, intval, isEmpty, isMap } from '../rest/php.ts';
import { errors } from '../errors/rest.ts';

/**
 * ATTACH of the sending methods, normalised the way the portal's attach parser does it:
 * full form `{BLOCKS, COLOR, COLOR_TOKEN, DESCRIPTION}` or
 * a bare block list, given as an object or a JSON string. Each block is validated on its own and
 * dropped when invalid; an attach with nothing valid left is an error only when the raw value
 * was truthy. Nested keys are upper case, as documented: the portal folds only top-level keys.
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

/** What the portal picks from when no valid colour is given. */
const PALETTE = ['#df532d', '#4ba984', '#4ba5c3', '#3e99ce', '#6e7edc', '#8474c8', '#1eb4aa', '#f76187', '#58cc47', '#ab7761'];
const COLOR_TOKENS = new Set(['primary', 'secondary', 'alert', 'base']);
const GRID_DISPLAY: Record<string, string> = { BLOCK: 'BLOCK', LINE: 'LINE', CARD: 'LINE', ROW: 'ROW', COLUMN: 'ROW', TABLE: 'TABLE' };

const isHex = (v: unknown): v is string => typeof v === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v);
const isUrl = (v: unknown): v is string => typeof v === 'string' && /^(\/|https?:\/\/)/i.test(v);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const oneLine = (v: unknown): string => text(v).replace(/[\r\n]+/g, ' ').trim();
const withBreaks = (v: unknown): string => text(v).trim().replace(/#BR#/g, '[BR]');
const positive = (v: unknown): number | null => (intval(v) > 0 ? intval(v) : null);
const colorToken = (v: unknown): string => (typeof v === 'string' && COLOR_TOKENS.has(v) ? v : 'base');

/** A single object or a list of them, as the blocks that take either accept. */
function items(v: unknown): Record<string, unknown>[] {
  if (isMap(v) && !Object.keys(v).every((k) => /^\d+$/.test(k))) return [v];
  const list = Array.isArray(v) ? v : isMap(v) ? Object.values(v) : [];
  return list.filter(isMap);
}

/** Copies the keys of `fields` whose value is present (not null/undefined). */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** Who a USER/LINK/RICH_LINK element points at; null when it names nobody. */
function identity(e: Record<string, unknown>): Record<string, unknown> | null {
  if (!isEmpty(e.NETWORK_ID)) {
    const id = text(e.NETWORK_ID);
    return { NETWORK_ID: `${id.charAt(0)}${intval(id.slice(1))}` };
  }
  if (positive(e.USER_ID)) return { USER_ID: positive(e.USER_ID) };
  if (positive(e.CHAT_ID)) return { CHAT_ID: positive(e.CHAT_ID), AVATAR_TYPE: 'CHAT' };
  if (positive(e.BOT_ID)) return { BOT_ID: positive(e.BOT_ID), AVATAR_TYPE: 'BOT' };
  if (isUrl(e.LINK)) return { LINK: e.LINK };
  return null;
}

function userBlocks(v: unknown): Record<string, unknown>[] {
  return items(v).flatMap((e) => {
    const name = oneLine(e.NAME);
    if (!name) return [];
    const who = identity(e) ?? {};
    const avatarType = typeof e.AVATAR_TYPE === 'string' && ['CHAT', 'USER', 'BOT'].includes(e.AVATAR_TYPE) ? e.AVATAR_TYPE : undefined;
    const user = compact({
      NAME: name,
      ...who,
      AVATAR: isUrl(e.AVATAR) ? e.AVATAR : undefined,
      AVATAR_TYPE: avatarType ?? who.AVATAR_TYPE ?? 'USER',
      LINK: isUrl(e.LINK) ? e.LINK : undefined,
    });
    return [{ USER: [user] }];
  });
}

function linkElement(e: Record<string, unknown>, rich: boolean): Record<string, unknown> | null {
  const name = oneLine(e.NAME);
  const who = identity(e);
  const named = who && !('LINK' in who && Object.keys(who).length === 1);
  if (!(named && name) && !isUrl(e.LINK)) return null;
  const out: Record<string, unknown> = compact({
    NAME: name,
    ...(named ? who : {}),
    LINK: isUrl(e.LINK) ? e.LINK : undefined,
    DESC: withBreaks(e.DESC),
  });
  if (typeof e.HTML === 'string' && e.HTML.trim()) out.HTML = e.HTML;
  else if (isUrl(e.PREVIEW)) {
    out.PREVIEW = e.PREVIEW;
    if (rich) {
      const size = isMap(e.PREVIEW_SIZE) ? e.PREVIEW_SIZE : {};
      const dims = compact({ WIDTH: positive(size.WIDTH), HEIGHT: positive(size.HEIGHT) });
      if (Object.keys(dims).length) out.PREVIEW_SIZE = dims;
    } else Object.assign(out, compact({ WIDTH: positive(e.WIDTH), HEIGHT: positive(e.HEIGHT) }));
  }
  if (rich && isUrl(e.EXTRA_IMAGE)) out.EXTRA_IMAGE = e.EXTRA_IMAGE;
  return out;
}

function listBlock(kind: string, v: unknown, element: (e: Record<string, unknown>) => Record<string, unknown> | null) {
  const list = items(v).map(element).filter((e): e is Record<string, unknown> => e !== null);
  return list.length ? [{ [kind]: list }] : [];
}

function gridItem(e: Record<string, unknown>): Record<string, unknown> | null {
  const display = GRID_DISPLAY[text(e.DISPLAY).toUpperCase()] ?? 'BLOCK';
  const name = oneLine(e.NAME);
  const value = withBreaks(e.VALUE);
  if (!name && !value && display !== 'LINE') return null;
  return compact({
    DISPLAY: display,
    NAME: name,
    VALUE: value,
    COLOR: isHex(e.COLOR) ? e.COLOR : undefined,
    COLOR_TOKEN: colorToken(e.COLOR_TOKEN),
    WIDTH: positive(e.WIDTH),
    HEIGHT: positive(e.HEIGHT),
    USER_ID: positive(e.USER_ID),
    CHAT_ID: positive(e.CHAT_ID),
    LINK: isUrl(e.LINK) ? e.LINK : undefined,
  });
}

/** One raw block element → zero or more normalised blocks; the first known key decides. */
function parseBlock(raw: Record<string, unknown>, attach: { description: string }): Record<string, unknown>[] {
  if ('USER' in raw) return userBlocks(raw.USER);
  if ('LINK' in raw) return listBlock('LINK', raw.LINK, (e) => linkElement(e, false));
  if ('RICH_LINK' in raw) return listBlock('RICH_LINK', raw.RICH_LINK, (e) => linkElement(e, true));
  if ('MESSAGE' in raw) {
    const m = raw.MESSAGE;
    const message = withBreaks(isMap(m) ? m.TEXT : m);
    if (!message) return [];
    if (isMap(m) && m.AS_DESCRIPTION === 'Y') attach.description = oneLine(message);
    return [{ MESSAGE: message }];
  }
  if ('GRID' in raw) return listBlock('GRID', Array.isArray(raw.GRID) || isMap(raw.GRID) ? Object.values(raw.GRID) : [], gridItem);
  if ('IMAGE' in raw) {
    return listBlock('IMAGE', raw.IMAGE, (e) => (isUrl(e.LINK)
      ? compact({ LINK: e.LINK, NAME: text(e.NAME).trim(), WIDTH: positive(e.WIDTH), HEIGHT: positive(e.HEIGHT), PREVIEW: isUrl(e.PREVIEW) ? e.PREVIEW : undefined })
      : null));
  }
  if ('FILE' in raw) {
    return listBlock('FILE', raw.FILE, (e) => (isUrl(e.LINK) ? compact({ LINK: e.LINK, NAME: oneLine(e.NAME), SIZE: positive(e.SIZE) }) : null));
  }
  if ('DELIMITER' in raw) {
    const d = isMap(raw.DELIMITER) ? raw.DELIMITER : {};
    return [{ DELIMITER: compact({ SIZE: positive(d.SIZE) ?? 200, COLOR: isHex(d.COLOR) ? d.COLOR : undefined }) }];
  }
  return [];
}

/** PHP's json_encode escapes `/` as `\/`: the portal measures that length. */
export function attachSize(attach: Attach): number {
  const json = JSON.stringify(attach);
  return json.length + (json.match(/\//g)?.length ?? 0);
}

/**
 * The normalised attach of a sending call, null when none was given; throws ATTACH_ERROR or
 * ATTACH_OVERSIZE as the portal does. `nowSeconds` becomes the attach ID (a sent ID is ignored).
 */
export function parseAttach(raw: unknown, nowSeconds: number): Attach | null {
  if (isEmpty(raw) || (Array.isArray(raw) && raw.length === 0)) return null;
  const value = decodedJson(raw);
  const full = isMap(value) && 'BLOCKS' in value;
  const source = full ? value.BLOCKS : value;
  const rawBlocks = Array.isArray(source) ? source : isMap(source) ? Object.values(source) : [];
  const state = { description: full ? oneLine(value.DESCRIPTION) : '' };
  const blocks = rawBlocks.filter(isMap).flatMap((b) => parseBlock(b, state));
  if (!blocks.length) throw attachError();
  const color = full ? value.COLOR : undefined;
  const attach: Attach = {
    ID: nowSeconds,
    BLOCKS: blocks,
    DESCRIPTION: state.description,
    COLOR: color === 'TRANSPARENT' ? 'transparent' : isHex(color) ? color : PALETTE[randomInt(PALETTE.length)]!,
    COLOR_TOKEN: colorToken(full ? value.COLOR_TOKEN : undefined),
  };
  if (attachSize(attach) >= ATTACH_MAX_CHARS) throw attachOversize();
  return attach;
}
