// The console's "Testing" card: fault rules and the clock of a server started for testing
// (NOTIFY24_TEST_MODE=1). On any other server /console/api/faults answers TEST_MODE_OFF and the
// card never appears.
import { currentSession, el, toast } from './common.js';
import { formatDate, t } from './i18n.js';

const ERRORS = ['QUERY_LIMIT_EXCEEDED', 'expired_token', 'OPERATION_TIME_LIMIT', 'INTERNAL_SERVER_ERROR', 'invalid_token', 'NO_AUTH_FOUND', 'ACCESS_DENIED'];
let session = null;

async function call(method, path, body) {
  const res = await fetch(`/console/api/${path}`, {
    method,
    credentials: 'same-origin',
    headers: method === 'GET' ? {} : { 'Content-Type': 'application/json', 'X-Sessid': session.sessid },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.error_description ?? data.error ?? `HTTP ${res.status}`), { code: data.error });
  return data;
}

const answerOf = (r) => {
  const answer = r.error ?? t(r.drop ? 'console.faults.dropped' : r.truncate ? 'console.faults.truncated' : 'console.faults.delay');
  return r.delayMs ? t('console.faults.after', { answer, ms: r.delayMs }) : answer;
};
const whenOf = (r) => [r.remaining === null ? t('console.faults.everyCall') : t('console.faults.left', { count: r.remaining }), r.probability === null ? '' : t('console.faults.probability', { p: r.probability, seed: r.seed })].filter(Boolean).join(', ');
const callerOf = (r) => [r.caller, r.userId ? t('console.inspector.user', { id: r.userId }) : '', r.clientId ?? ''].filter(Boolean).join(' ');

async function refresh(card) {
  const [{ rules }, clock] = await Promise.all([call('GET', 'faults'), call('GET', 'clock')]);
  card.querySelector('tbody').replaceChildren(...(rules.length ? rules.map((r) => el('tr', { dataset: { id: String(r.id) } },
    el('td', {}, r.id), el('td', {}, r.method), el('td', {}, callerOf(r)), el('td', {}, answerOf(r)), el('td', {}, whenOf(r)), el('td', {}, r.hits),
    el('td', {}, el('button', { onclick: () => act(card, () => call('DELETE', `faults/${r.id}`)) }, t('console.faults.remove')))))
    : [el('tr', {}, el('td', { colspan: '7', class: 'muted' }, t('console.faults.none')))]));
  card.querySelector('.clock').textContent = t('console.faults.clock', { time: formatDate(clock.now), hours: Math.round(clock.offsetMs / 3_600_000) });
}

async function act(card, fn, done) {
  try {
    await fn();
    if (done) toast(done);
  } catch (err) {
    toast(err.message, 'error');
  }
  await refresh(card);
}

function ruleFrom(form) {
  const rule = { method: form.method.value || '*', caller: form.caller.value };
  const answer = form.answer.value;
  if (answer === 'drop') rule.drop = true;
  else if (answer === 'truncate') rule.truncate = true;
  else if (answer !== 'delay') rule.error = answer;
  if (form.delay.value) rule.delayMs = Number(form.delay.value);
  if (form.times.value) rule.times = Number(form.times.value);
  return rule;
}

function buildCard() {
  const options = [...ERRORS, 'drop', 'truncate', 'delay'].map((v) => el('option', { value: v }, ERRORS.includes(v) ? v : t(`console.faults.${v}Option`)));
  const form = el('form', { id: 'fault-form' },
    el('label', {}, `${t('console.faults.method')} `, el('input', { name: 'method', value: 'im.notify.*' })),
    el('label', {}, `${t('console.faults.caller')} `, el('select', { name: 'caller' }, ...['any', 'webhook', 'application', 'session'].map((c) => el('option', { value: c }, t(`console.faults.${c}`))))),
    el('label', {}, `${t('console.faults.answer')} `, el('select', { name: 'answer' }, ...options)),
    el('label', {}, `${t('console.faults.delayMs')} `, el('input', { name: 'delay', type: 'number', min: '0' })),
    el('label', {}, `${t('console.faults.times')} `, el('input', { name: 'times', type: 'number', min: '1', value: '1' })),
    el('button', { type: 'submit' }, t('console.faults.add')));
  const card = el('section', { class: 'card wide', id: 'testing' },
    el('h2', {}, `${t('console.faults.title')} `, el('span', { class: 'muted' }, t('console.faults.note'))),
    el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {}, ...['#', t('console.faults.method'), t('console.faults.caller'), t('console.faults.answer'), t('console.faults.when'), t('console.faults.hits'), ''].map((h) => el('th', {}, h)))), el('tbody', { id: 'faults' }))),
    form,
    el('p', {}, el('button', { id: 'faults-clear', onclick: () => act(card, () => call('DELETE', 'faults'), t('console.faults.cleared')) }, t('console.faults.clearAll'))),
    el('p', { class: 'clock' }),
    el('form', { id: 'clock-form' }, el('label', {}, `${t('console.faults.advanceBy')} `, el('input', { name: 'hours', type: 'number', min: '0', step: 'any', value: '24' })), el('button', { type: 'submit' }, t('console.faults.advance'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(card, () => call('POST', 'faults', ruleFrom(form)), t('console.faults.added'));
  });
  card.querySelector('#clock-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act(card, () => call('POST', 'clock', { advance_ms: Number(e.target.hours.value) * 3_600_000 }), t('console.faults.moved'));
  });
  return card;
}

async function start() {
  session = await currentSession();
  if (!session) return;
  const probe = await fetch('/console/api/faults', { credentials: 'same-origin' });
  if (!probe.ok) return;
  const card = buildCard();
  // The console shows its grid once it knows the visitor is an administrator (console.js).
  const grid = document.getElementById('console');
  grid.append(card);
  await refresh(card);
  card.dataset.ready = '1';
}

void start();
