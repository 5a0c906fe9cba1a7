import { bbcodeToHtml, escapeHtml } from '../../notify/bbcode.ts';
import type { NotificationRow } from '../../store/port/notifications.ts';

/** Every BB code tag (`[b]`, `[/url]`, `[url=…]`, `[user=5]`), for removal. */
const BB_TAG = /\[\/?[a-z*]+(?:=[^\]]*)?\]/gi;
/** Tags the safe renderer turns into HTML; any other is removed before it runs. */
const RENDERED = /^\[\/?(?:b|i|u|s|url|color)(?:=|\])/i;

/** Text with the portal's line-break markers as newlines and every BB code removed. */
export function plainText(text: string): string {
  return text.replace(/\[br\]|#BR#/gi, '\n').replace(BB_TAG, '').trim();
}

const asList = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
const field = (o: Record<string, unknown>, key: string) => (o[key] === undefined || o[key] === null ? '' : plainText(String(o[key])));
const named = (name: string, link: string) => (name && link && name !== link ? `${name}: ${link}` : name || link);

/** One attach block as lines of text. */
function blockLines(kind: string, value: unknown): string[] {
  switch (kind) {
    case 'MESSAGE':
      return [plainText(String(value ?? ''))];
    case 'LINK':
      return asList(value).flatMap((l) => [named(field(l, 'NAME'), field(l, 'LINK')), field(l, 'DESC')]);
    case 'GRID':
      return asList(value).map((g) => `${field(g, 'NAME')}: ${field(g, 'VALUE')}`);
    case 'USER':
      return asList(value).map((u) => field(u, 'NAME'));
    case 'FILE':
    case 'IMAGE':
      return asList(value).map((f) => named(field(f, 'NAME'), field(f, 'LINK')));
    case 'DELIMITER':
      return ['----'];
    default:
      return [];
  }
}

/** The attachments stored in a notification's params, as plain text ('' when none). */
export function attachText(params: string): string {
  if (!params) return '';
  let attach: unknown;
  try {
    attach = (JSON.parse(params) as { ATTACH?: unknown }).ATTACH;
  } catch {
    return '';
  }
  const lines: string[] = [];
  for (const a of asList(attach)) {
    const blocks = Array.isArray(a) ? a : asList(a.BLOCKS);
    for (const block of blocks as Record<string, unknown>[]) {
      for (const [kind, value] of Object.entries(block ?? {})) lines.push(...blockLines(kind.toUpperCase(), value));
    }
  }
  return lines.filter((l) => l.trim() !== '').join('\n');
}

/**
 * What the portal mails for a notification: `MESSAGE_OUT` with its BB codes removed, or, when
 * there is none, the message plus a text rendering of its attachments.
 */
export function mailBodyText(row: Pick<NotificationRow, 'text' | 'messageOut' | 'params'>): string {
  if (row.messageOut) return plainText(row.messageOut);
  return [plainText(row.text), attachText(row.params)].filter(Boolean).join('\n\n');
}

/** The same body as HTML, through the safe BB-code renderer (codes it does not render are removed). */
export function mailBodyHtml(row: Pick<NotificationRow, 'text' | 'messageOut' | 'params'>): string {
  const source = (row.messageOut || row.text).replace(/\[br\]|#BR#/gi, '\n').replace(BB_TAG, (tag) => (RENDERED.test(tag) ? tag : '')).trim();
  const html = bbcodeToHtml(source);
  const attach = row.messageOut ? '' : attachText(row.params);
  return attach ? `${html}<div style="margin-top:8px;color:#555">${escapeHtml(attach).replace(/\n/g, '<br />')}</div>` : html;
}
