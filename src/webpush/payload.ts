import { createHash } from 'node:crypto';
import { bbcodeToHtml } from '../notify/bbcode.ts';
import { parseNotifyText } from '../notify/text-parse.ts';
import type { User } from '../store/port/identity.ts';
import type { NotificationRow } from '../store/port/notifications.ts';

/**
 * What the service worker receives (src/web/static/sw.js reads it): enough to show the
 * notification without asking the server, which a closed browser cannot do before showing.
 */
export interface PushPayload {
  /** Version of this shape. */
  v: 1;
  id: number;
  title: string;
  body: string;
  /** The center, relative to the server (the service worker resolves it against its origin). */
  url: string;
  /** Notifications with one tag replace each other on screen, as they do in the store. */
  tag: string;
}

/** A push message holds about 4 KB once encrypted; longer texts are cut well below that. */
const MAX_BODY = 1000;
const MAX_TITLE = 200;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The notification's text as plain text: the page's safe BB-code rendering with its markup
 * taken off, so a push reads as the center shows it (links keep their label).
 */
export function plainText(stored: string): string {
  return bbcodeToHtml(parseNotifyText(stored))
    .replace(/<br \/>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

export function pushTag(n: NotificationRow): string {
  return n.tag ? `notify24:${n.tag}` : `notify24:${n.id}`;
}

/**
 * `systemName`: how the center names the author of a system notification, in the recipient's
 * language ("System"), so a push without a title reads as the center shows it.
 */
export function pushPayload(n: NotificationRow, author: User | null, systemName: string): PushPayload {
  const authorName = author ? [author.name, author.lastName].filter(Boolean).join(' ') || author.login : '';
  return {
    v: 1,
    id: n.id,
    title: cut(n.title || authorName || systemName, MAX_TITLE),
    body: cut(plainText(n.text), MAX_BODY),
    url: `/?notification=${n.id}`,
    tag: pushTag(n),
  };
}

/**
 * The `Topic` header (RFC 8030 §5.4) for a tagged notification: a push service keeps only the
 * newest undelivered message of a topic. At most 32 URL-safe base64 characters, so a digest.
 */
export function pushTopic(n: NotificationRow): string | undefined {
  return n.tag ? createHash('sha256').update(n.tag).digest('base64url').slice(0, 32) : undefined;
}
