import { escapeHtml } from '../../notify/bbcode.ts';
import type { NotificationRow } from '../../store/port/notifications.ts';
import type { User } from '../../store/port/identity.ts';
import { DEFAULT_LANGUAGE, translate } from '../../web/i18n.ts';
import { mailBodyHtml, mailBodyText, plainText } from './text.ts';

/** A mail ready for the transport and for the console. */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface MailItem {
  row: NotificationRow;
  /** The author's name, '' for a system notification. */
  author: string;
}

export interface MailLinks {
  /** Opens the notification in the center. */
  notification(id: number): string;
  /** The one-click unsubscribe URL for these types of this user. */
  unsubscribe: string;
}

const SUBJECT_CHARS = 78;

/** One line of at most SUBJECT_CHARS characters: a header never carries a line break. */
function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  const chars = [...line.replace(/\s+/g, ' ').trim()];
  return chars.length > SUBJECT_CHARS ? `${chars.slice(0, SUBJECT_CHARS - 1).join('')}…` : chars.join('');
}

const displayName = (u: User) => [u.name, u.lastName].filter(Boolean).join(' ') || u.login;

/** `"Name" <address>`, quoted so a name with commas or brackets stays one mailbox. */
export function mailbox(user: User): string {
  return `"${displayName(user).replace(/["\\\r\n]/g, '')}" <${user.email}>`;
}

/**
 * One mail for one notification, or one digest for several: a plain-text part and an HTML part
 * (the safe BB-code renderer's output), each notification with a link to it in the center, and
 * the RFC 8058 one-click unsubscribe headers; its texts in `lang` (the user's saved language).
 */
export function renderMail(user: User, items: MailItem[], links: MailLinks, lang = DEFAULT_LANGUAGE): RenderedMail {
  const t = (key: string, vars: Record<string, string | number> = {}) => translate(lang, key, vars);
  const single = items.length === 1;
  const count = items.length;
  const texts = items.map((i) => mailBodyText(i.row));
  const subject = single ? firstLine(items[0]!.row.title ? plainText(items[0]!.row.title) : texts[0]!) || t('mail.subjectOne') : t('mail.subjectMany', { count });
  const from = (i: MailItem) => i.author || t('author.system');
  const textParts = items.map((item, n) => `${from(item)}:\n${texts[n]}\n\n${t('mail.open')}: ${links.notification(item.row.id)}`);
  const footer = `${t('mail.why')} ${t('mail.stop')}: ${links.unsubscribe}`;
  const text = [single ? '' : `${t('mail.waiting', { count })}\n`, textParts.join('\n\n----\n\n'), '', '--', footer]
    .filter((p, n) => n > 0 || p)
    .join('\n');
  const htmlItems = items.map(
    (item) =>
      `<div style="margin:0 0 16px;padding:12px;border-left:3px solid #2f6fde;background:#f6f8fb">` +
      `<div style="color:#555;font-size:13px">${escapeHtml(from(item))}</div>` +
      `<div style="margin:6px 0">${mailBodyHtml(item.row)}</div>` +
      `<a href="${escapeHtml(links.notification(item.row.id))}">${escapeHtml(t('mail.openInCenter'))}</a></div>`,
  );
  const html =
    `<!doctype html><html lang="${escapeHtml(lang)}"><body style="font-family:sans-serif;font-size:14px;color:#222">` +
    (single ? '' : `<p>${escapeHtml(t('mail.waiting', { count }))}</p>`) +
    htmlItems.join('') +
    `<p style="color:#777;font-size:12px">${escapeHtml(t('mail.why'))} ` +
    `<a href="${escapeHtml(links.unsubscribe)}">${escapeHtml(t('mail.stop'))}</a></p></body></html>`;
  return {
    to: mailbox(user),
    subject,
    text,
    html,
    headers: { 'List-Unsubscribe': `<${links.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
