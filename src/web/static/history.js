// History search: every filter of im.notify.history.search, paged as the user scrolls.
import { el } from './common.js';
import { t } from './i18n.js';

const PAGE = 50;
const $ = (id) => document.getElementById(id);
const history = { params: null, lastId: null, done: true };
let deps = null; // {rest, renderItem, rememberUsers} from the center

export function ensureAuthorOption(id, name) {
  const select = document.querySelector('#search-form select[name=author]');
  if (!select || id === 0 || select.querySelector(`option[value="${id}"]`)) return;
  select.append(el('option', { value: String(id) }, name));
}

async function loadSchema() {
  const select = document.querySelector('#search-form select[name=type]');
  const schema = await deps.rest('im.notify.schema.get').catch(() => ({}));
  // Notifications sent through REST carry module `rest`, which the schema (like the portal's)
  // does not list: offer it first, since it is what integrations send.
  select.append(el('option', { value: 'rest' }, t('search.restApps')));
  select.append(el('option', { value: 'rest|rest_notify' }, '— rest_notify'));
  for (const module of Object.values(schema ?? {})) {
    select.append(el('option', { value: String(module.MODULE_ID) }, String(module.NAME ?? module.MODULE_ID)));
    for (const event of Array.isArray(module.LIST) ? module.LIST : []) {
      select.append(el('option', { value: String(event.ID) }, `— ${event.NAME ?? event.ID}`));
    }
  }
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
  if (!history.params || history.done) return;
  const params = { ...history.params, LIMIT: PAGE, ...(history.lastId ? { LAST_ID: history.lastId } : {}) };
  try {
    const page = await deps.rest('im.notify.history.search', params);
    const items = Array.isArray(page?.notifications) ? page.notifications : [];
    deps.rememberUsers(page?.users);
    $('results').append(...items.map((n) => deps.renderItem({ ...n, notify_type: Number(n.notify_type) }, false)));
    history.lastId = items.at(-1)?.id ?? history.lastId;
    history.done = items.length < PAGE;
    const count = $('results').children.length;
    $('results-end').textContent = history.done ? t('search.found', { count }) : t('list.loading');
  } catch (err) {
    history.done = true;
    $('results-end').textContent = err.description ?? String(err);
  }
}


/** Wires the search form; `more` is what the results' end observer calls. */
export function initHistory(centerDeps) {
  deps = centerDeps;
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    history.params = searchParams(e.target);
    history.lastId = null;
    history.done = false;
    $('results').replaceChildren();
    void searchPage();
  });
  void loadSchema();
  return { more: searchPage };
}
