import type { NotificationRow } from '../../store/port/notifications.ts';
import type { User } from '../../store/port/identity.ts';
import type { Store } from '../../store/port/store.ts';
import { pickLanguage } from '../../web/i18n.ts';
import { renderMail, type RenderedMail } from './render.ts';
import type { UnsubscribeLinks } from './unsubscribe.ts';

/** Where a mail's links point: the center and the unsubscribe page of this server. */
export interface ComposeDeps {
  store: Store;
  links: UnsubscribeLinks;
  baseUrl: string;
}

async function authorName(store: Store, authorId: number): Promise<string> {
  if (authorId <= 0) return '';
  const u = await store.users.byId(authorId);
  return u ? [u.name, u.lastName].filter(Boolean).join(' ') || u.login : '';
}

/**
 * The mail for `user` about `rows` (one, or a digest), with its links (the job and the console's
 * preview), in the language the user saved in the center (a mail has no browser to ask: else English).
 */
export async function composeMail(deps: ComposeDeps, user: User, rows: { row: NotificationRow; typeKey: string }[]): Promise<RenderedMail> {
  const unsubscribe = await deps.links.url(deps.baseUrl, user.id, rows.map((r) => r.typeKey));
  const items = [];
  for (const { row } of rows) items.push({ row, author: await authorName(deps.store, row.authorId) });
  const lang = pickLanguage((await deps.store.preferences.get(user.id)).language, undefined);
  return renderMail(user, items, { notification: (id) => `${deps.baseUrl}/?notification=${id}`, unsubscribe }, lang);
}
