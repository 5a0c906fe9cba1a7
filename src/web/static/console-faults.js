// The console's "Testing" card: fault rules and the clock of a server started for testing
// (NOTIFY24_TEST_MODE=1). On any other server /console/api/faults answers TEST_MODE_OFF and the
// card never appears.
import { currentSession, el, toast } from './common.js';

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

const answerOf = (r) => r.error ?? (r.drop ? 'dropped connection' : r.truncate ? 'truncated body' : 'delay') + (r.delayMs ? ` after ${r.delayMs} ms` : '');
const whenOf = (r) => [r.remaining === null ? 'every call' : `${r.remaining} left`, r.probability === null ? '' : `p=${r.probability} (seed ${r.seed})`].filter(Boolean).join(', ');
const callerOf = (r) => [r.caller, r.userId ? `user ${r.userId}` : '', r.clientId ?? ''].filter(Boolean).join(' ');

async function refresh(card) {
  const [{ rules }, clock] = await Promise.all([call('GET', 'faults'), call('GET', 'clock')]);
  card.querySelector('tbody').replaceChildren(...(rules.length ? rules.map((r) => el('tr', { dataset: { id: String(r.id) } },
    el('td', {}, r.id), el('td', {}, r.method), el('td', {}, callerOf(r)), el('td', {}, answerOf(r)), el('td', {}, whenOf(r)), el('td', {}, r.hits),
    el('td', {}, el('button', { onclick: () => act(card, () => call('DELETE', `faults/${r.id}`)) }, 'Remove'))))
    : [el('tr', {}, el('td', { colspan: '7', class: 'muted' }, 'No fault rules: every call is answered normally'))]));
  card.querySelector('.clock').textContent = `Server clock: ${new Date(clock.now).toLocaleString()} (${Math.round(clock.offsetMs / 3_600_000)} h ahead of real time)`;
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
  const options = [...ERRORS, 'drop', 'truncate', 'delay'].map((v) => el('option', { value: v }, v === 'drop' ? 'drop the connection' : v === 'truncate' ? 'truncate the body' : v === 'delay' ? 'only delay' : v));
  const form = el('form', { id: 'fault-form' },
    el('label', {}, 'Method ', el('input', { name: 'method', value: 'im.notify.*' })),
    el('label', {}, 'Caller ', el('select', { name: 'caller' }, ...['any', 'webhook', 'application', 'session'].map((c) => el('option', { value: c }, c)))),
    el('label', {}, 'Answer ', el('select', { name: 'answer' }, ...options)),
    el('label', {}, 'Delay ms ', el('input', { name: 'delay', type: 'number', min: '0' })),
    el('label', {}, 'Times ', el('input', { name: 'times', type: 'number', min: '1', value: '1' })),
    el('button', { type: 'submit' }, 'Add rule'));
  const card = el('section', { class: 'card wide', id: 'testing' },
    el('h2', {}, 'Testing ', el('span', { class: 'muted' }, '(this server was started for testing)')),
    el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, el('tr', {}, ...['#', 'Method', 'Caller', 'Answer', 'When', 'Hits', ''].map((h) => el('th', {}, h)))), el('tbody', { id: 'faults' }))),
    form,
    el('p', {}, el('button', { id: 'faults-clear', onclick: () => act(card, () => call('DELETE', 'faults'), 'Fault rules cleared') }, 'Clear all rules')),
    el('p', { class: 'clock' }),
    el('form', { id: 'clock-form' }, el('label', {}, 'Move the clock forward by hours ', el('input', { name: 'hours', type: 'number', min: '0', step: 'any', value: '24' })), el('button', { type: 'submit' }, 'Advance')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(card, () => call('POST', 'faults', ruleFrom(form)), 'Fault rule added');
  });
  card.querySelector('#clock-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act(card, () => call('POST', 'clock', { advance_ms: Number(e.target.hours.value) * 3_600_000 }), 'Clock moved');
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
