import { asList, isDigits, isEmpty, isNumeric, phpTrim } from '../rest/php.ts';
import type { Params } from '../rest/params.ts';
import { boundedList } from '../rest/shape.ts';
import type { Store } from '../store/port/store.ts';
import type { EventGroup, NotificationSearch } from '../store/port/notifications.ts';
import { authorsOf, PAGE_LIMIT } from './service.ts';
import { notificationView } from './view.ts';
import { errors } from '../errors/rest.ts';

const DAY = 86_400_000;

function parseDay(value: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw errors.incorrectDate(value);
  return ms;
}

/**
 * GROUP_TAG's fixed groups (module '' = any module). Other values name a user's own groups on
 * the portal; notify24 has none, so like an unknown name they add no filter.
 */
const GROUPS: Record<string, { confirmOnly: boolean; events: EventGroup[] }> = {
  confirm: { confirmOnly: true, events: [] },
  mention: { confirmOnly: false, events: [{ module: '', events: ['mention', 'mention_comment'] }] },
  admin: {
    confirmOnly: false,
    events: [
      { module: 'blog', events: ['log_notify_all_request'] },
      { module: 'imbot', events: ['refresh_error'] },
      { module: 'intranet', events: ['refresh_error'] },
      { module: 'voximplant', events: ['notifications', 'status_notifications'] },
      { module: '', events: ['admin_notification'] },
    ],
  },
};

const NO_GROUP = { confirmOnly: false, events: [] };

/** PHP truthiness of a string option ("" and "0" are false). */
const truthy = (v: string | null): v is string => v !== null && v !== '' && v !== '0';

/** The filters as the portal normalises them; null when nothing at all was asked for. */
function searchFilter(p: Params): Omit<NotificationSearch, 'lastId' | 'limit'> | null {
  const words = boundedList('SEARCH_TEXT', (p.empty('SEARCH_TEXT') ? '' : p.str('SEARCH_TEXT')).split(/[^\p{L}\p{N}_]+/u).filter(Boolean));
  // Non-empty strings of SEARCH_TYPES replace SEARCH_TYPE; a SEARCH_TYPE that was sent counts even
  // when empty (it then names the module '', which no notification has).
  const typesList = (asList(p.get('SEARCH_TYPES')) ?? []).filter((t): t is string => typeof t === 'string' && t !== '');
  const types = boundedList('SEARCH_TYPES', typesList.length ? typesList : p.has('SEARCH_TYPE') ? [p.str('SEARCH_TYPE')] : []);
  // FROM and TO sent together replace SEARCH_DATE, even when one of them is empty (no date filter then).
  const both = p.has('SEARCH_DATE_FROM') && p.has('SEARCH_DATE_TO');
  const fromText = both ? p.str('SEARCH_DATE_FROM') : p.has('SEARCH_DATE') ? p.str('SEARCH_DATE') : null;
  const toText = both ? p.str('SEARCH_DATE_TO') : fromText;
  const dated = truthy(fromText) && truthy(toText);
  const from = dated ? parseDay(fromText) : null;
  const to = dated ? parseDay(toText) + DAY : null;
  const authors = boundedList('SEARCH_AUTHORS', (asList(p.get('SEARCH_AUTHORS')) ?? []).filter(isNumeric).map((a) => Math.trunc(Number(a))).filter((a) => a >= 0));
  if (!words.length && !types.length && !dated && !authors.length) return null;
  const group = Object.hasOwn(GROUPS, p.str('GROUP_TAG')) ? GROUPS[p.str('GROUP_TAG')]! : NO_GROUP;
  return { words, types, from, to, authors, confirmOnly: group.confirmOnly, eventGroups: group.events };
}

export async function historySearch(store: Store, userId: number, p: Params): Promise<unknown> {
  const noOtherFilter = ['SEARCH_TYPE', 'SEARCH_DATE', 'SEARCH_AUTHORS', 'SEARCH_TYPES', 'SEARCH_DATE_FROM', 'SEARCH_DATE_TO'].every((k) =>
    isEmpty(p.get(k)),
  );
  if (noOtherFilter && [...phpTrim(p.str('SEARCH_TEXT'))].length < 3) {
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
