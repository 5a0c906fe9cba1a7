import { RestError } from '../rest/errors.ts';
import { asList, intval, isDigits, isEmpty, strval } from '../rest/php.ts';
import type { Params } from '../rest/params.ts';
import type { Services } from '../services.ts';
import type { EventGroup, NotificationSearch } from '../store/notify-types.ts';
import { authorsOf, PAGE_LIMIT } from './service.ts';
import { notificationView } from './view.ts';

const DAY = 86_400_000;

function parseDay(value: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  if (Number.isNaN(ms)) throw new RestError('ERROR_CORE', `Incorrect date/time: ${value}`);
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
  const group = Object.hasOwn(GROUPS, p.str('GROUP_TAG')) ? GROUPS[p.str('GROUP_TAG')]! : NO_GROUP;
  return { words, types, from, to, authors, confirmOnly: group.confirmOnly, eventGroups: group.events };
}

export async function historySearch(services: Services, userId: number, p: Params): Promise<unknown> {
  const noOtherFilter = ['SEARCH_TYPE', 'SEARCH_DATE', 'SEARCH_AUTHORS', 'SEARCH_TYPES', 'SEARCH_DATE_FROM', 'SEARCH_DATE_TO'].every((k) =>
    isEmpty(p.get(k)),
  );
  if (noOtherFilter && [...p.str('SEARCH_TEXT').trim()].length < 3) {
    throw new RestError('SEARCH_TEXT_ERROR', "SEARCH_TEXT can't be less then 3 symbols");
  }
  if (p.has('LAST_ID') && !isDigits(p.get('LAST_ID'))) throw new RestError('LAST_ID_STRING', "Last notification ID can't be string");
  const asked = p.has('LIMIT') ? p.int('LIMIT') : PAGE_LIMIT;
  const limit = asked <= 0 ? null : Math.min(asked, PAGE_LIMIT);
  const chatId = await services.store.notifications.chatId(userId);
  const filter = searchFilter(p);
  if (chatId === null || filter === null) return [];
  const lastId = p.int('LAST_ID');
  const rows = await services.store.notifications.search(userId, { ...filter, lastId: lastId > 0 ? lastId : null, limit });
  const result: Record<string, unknown> = {
    chat_id: chatId,
    notifications: rows.map((r) => notificationView(r, chatId, p.flag('CONVERT_TEXT'))),
    users: await authorsOf(services.store, rows),
  };
  if (lastId <= 0) result.total_results = await services.store.notifications.searchCount(userId, { ...filter, lastId: null, limit: null });
  return result;
}
