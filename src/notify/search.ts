import { asList, intval, isDigits, isEmpty, strval } from '../rest/php.ts';
import type { Params } from '../rest/params.ts';
import type { Store } from '../store/port/store.ts';
import type { NotificationSearch } from '../store/port/notifications.ts';
import { authorsOf, PAGE_LIMIT } from './service.ts';
import { notificationView } from './view.ts';
import { errors } from '../errors/rest.ts';

const DAY = 86_400_000;

function parseDay(value: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw errors.incorrectDate(value);
  return ms;
}

/** The filters as the portal normalises them; null when nothing at all was asked for. */
function searchFilter(p: Params): Omit<NotificationSearch, 'lastId' | 'limit'> | null {
  const text = p.str('SEARCH_TEXT').trim();
  const words = text.split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
  const typesList = (asList(p.get('SEARCH_TYPES')) ?? []).map(strval).filter((t) => t !== '');
  const types = typesList.length ? typesList : p.empty('SEARCH_TYPE') ? [] : [p.str('SEARCH_TYPE')];
  let from: number | null = null;
  let to: number | null = null;
  if (!p.empty('SEARCH_DATE_FROM') && !p.empty('SEARCH_DATE_TO')) {
    from = parseDay(p.str('SEARCH_DATE_FROM'));
    to = parseDay(p.str('SEARCH_DATE_TO')) + DAY;
  } else if (!p.empty('SEARCH_DATE')) {
    from = parseDay(p.str('SEARCH_DATE'));
    to = from + DAY;
  }
  const authors = (asList(p.get('SEARCH_AUTHORS')) ?? []).filter(isDigits).map(intval);
  if (!words.length && !types.length && from === null && !authors.length) return null;
  return { words, types, from, to, authors, confirmOnly: p.str('GROUP_TAG') === 'confirm' };
}

export async function historySearch(store: Store, userId: number, p: Params): Promise<unknown> {
  const noOtherFilter = ['SEARCH_TYPE', 'SEARCH_DATE', 'SEARCH_AUTHORS', 'SEARCH_TYPES', 'SEARCH_DATE_FROM', 'SEARCH_DATE_TO'].every((k) =>
    isEmpty(p.get(k)),
  );
  if (noOtherFilter && [...p.str('SEARCH_TEXT').trim()].length < 3) {
    throw errors.searchTextError();
  }
  if (p.has('LAST_ID') && !isDigits(p.get('LAST_ID'))) throw errors.lastIdString();
  const asked = p.has('LIMIT') ? p.int('LIMIT') : PAGE_LIMIT;
  const limit = asked <= 0 ? null : Math.min(asked, PAGE_LIMIT);
  const chatId = await store.notifications.chatId(userId);
  const filter = searchFilter(p);
  if (chatId === null || filter === null) return [];
  const lastId = p.int('LAST_ID');
  const rows = await store.notifications.search(userId, { ...filter, lastId: lastId > 0 ? lastId : null, limit });
  const result: Record<string, unknown> = {
    chat_id: chatId,
    notifications: rows.map((r) => notificationView(r, chatId, p.flag('CONVERT_TEXT'))),
    users: await authorsOf(store, rows),
  };
  if (lastId <= 0) result.total_results = await store.notifications.searchCount(userId, { ...filter, lastId: null, limit: null });
  return result;
}
