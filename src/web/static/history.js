// History search: every filter of im.notify.history.search, paged as the user scrolls.
import { el } from './common.js';
import { formatNumber, t, typeName } from './i18n.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);
const history = { params: null, lastId: null, done: true, generation: 0 };
let deps = null; // {rest, renderItem, rememberUsers} from the center

export function ensureAuthorOption(id, name) {
  const select = document.querySelector('#search-form select[name=author]');
  if (!select || id === 0 || select.querySelector(`option[value="${id}"]`)) return;
  select.append(el('option', { value: String(id) }, name));
}

/**
 * The type filter offers only the types this user's notifications carry (GET /history/types),
 * named from im.notify.schema.get where the schema knows them, with how many there are.
 */
async function loadTypes() {
  const select = document.querySelector('#search-form select[name=type]');
  const [schema, held] = await Promise.all([
    deps.rest('im.notify.schema.get').catch(() => ({})),
    fetch('/history/types', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : { types: [] })).catch(() => ({ types: [] })),
  ]);
  const names = new Map();
  for (const module of Object.values(schema ?? {})) {
    names.set(String(module.MODULE_ID), typeName(module.MODULE_ID, String(module.NAME ?? module.MODULE_ID)));
    for (const event of Array.isArray(module.LIST) ? module.LIST : []) names.set(String(event.ID), typeName(event.ID, String(event.NAME ?? event.ID)));
  }
  // Notifications sent through REST carry module `rest`, which the schema (like the portal's) does not list.
  names.set('rest', t('search.restApps'));
  const modules = new Map(); // module → [{event, count}]
  for (const { module, event, count } of held.types ?? []) {
    if (!modules.has(module)) modules.set(module, []);
    modules.get(module).push({ event, count });
  }
  const chosen = select.value;
  select.replaceChildren(select.options[0]);
  for (const [module, events] of modules) {
    const total = events.reduce((sum, e) => sum + e.count, 0);
    select.append(el('option', { value: module }, `${names.get(module) ?? module} (${formatNumber(total)})`));
    if (events.length < 2 && events[0]?.event === module) continue;
    for (const { event, count } of events) {
      const id = `${module}|${event}`;
      select.append(el('option', { value: id }, `— ${names.get(id) ?? event} (${formatNumber(count)})`));
    }
  }
  select.value = chosen;
  if (select.value !== chosen) select.value = '';
}

function searchParams(form) {
  const f = new FormData(form);
  const params = {};
  const text = String(f.get('text') ?? '').trim();
  if (text) params.SEARCH_TEXT = text;
  if (f.get('type')) params.SEARCH_TYPE = f.get('type');
  const from = f.get('from');
  const to = f.get('to');
  // The method takes a range only as a pair: an open end becomes the earliest / latest day.
  if (from || to) {
    params.SEARCH_DATE_FROM = from || '1970-01-01';
    params.SEARCH_DATE_TO = to || new Date().toISOString().slice(0, 10);
  }
  if (f.get('author') !== '' && f.get('author') !== null) params.SEARCH_AUTHORS = [Number(f.get('author'))];
  return params;
}

async function searchPage() {
  if (!history.params || history.done || history.loading) return;
  const generation = history.generation;
  const params = { ...history.params, LIMIT: PAGE, ...(history.lastId ? { LAST_ID: history.lastId } : {}) };
  history.loading = true;
  try {
    const page = await deps.rest('im.notify.history.search', params);
    if (generation !== history.generation) return; // a newer search replaced this one
    const items = Array.isArray(page?.notifications) ? page.notifications : [];
    deps.rememberUsers(page?.users);
    $('results').append(...items.map((n) => deps.renderItem({ ...n, notify_type: Number(n.notify_type) })));
    history.lastId = items.at(-1)?.id ?? history.lastId;
    history.done = items.length < PAGE;
    const count = $('results').children.length;
    $('results-end').textContent = history.done ? t('search.found', { count }) : t('list.loading');
  } catch (err) {
    if (generation !== history.generation) return;
    history.done = true;
    $('results-end').textContent = err.description ?? String(err);
  } finally {
    history.loading = false;
    // A search started while this page loaded waits for it: start its first page now.
    if (generation !== history.generation) void searchPage();
  }
}


function search(params, note) {
  history.params = params;
  history.lastId = null;
  history.done = false;
  history.generation++;
  $('history-note').textContent = note;
  $('results').replaceChildren();
  void searchPage();
}

/**
 * Wires the search form; `more` is what the results' end observer calls, `opened` what the tab
 * calls: before any search the history shows the latest notifications, read ones included.
 */
export function initHistory(centerDeps) {
  deps = centerDeps;
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    search(searchParams(e.target), '');
  });
  return {
    more: searchPage,
    opened() {
      void loadTypes();
      // The method needs some filter: the whole date range (to tomorrow, for any time zone) is one.
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      if (history.params === null) search({ SEARCH_DATE_FROM: '1970-01-01', SEARCH_DATE_TO: tomorrow }, t('search.recent'));
    },
  };
}
