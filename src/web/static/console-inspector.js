// The request inspector: REST calls live, filtered by method, caller and outcome; the page's own
// session calls hidden unless asked for; a call opens in a detail view with "copy as curl".
import { badge, checkbox, copyButton, el, field, formatDate, jsonBlock, labelled, openDialog, t, timeCell } from './console-kit.js';

const MAX_ROWS = 200;
const PREVIEW = 90;

/** Who made a call, as one label: "webhook · user 3", "oauth · user 1", "session · user 1", "—". */
const callerOf = (c) => (c.auth ? `${c.auth} · ${t('console.inspector.user', { id: c.userId })}` : t('console.inspector.noAuth'));

function preview(value) {
  const text = JSON.stringify(value) ?? '';
  return text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text;
}

async function openCall(ctx, seq) {
  let call;
  try {
    ({ call } = await ctx.api(`inspector/${seq}`));
  } catch (err) {
    return openDialog({ title: t('console.inspector.detailTitle'), content: el('p', { role: 'alert' }, err.message) });
  }
  const outcome = call.error
    ? el('p', { class: 'err' }, `${call.error.error}: ${call.error.error_description}`)
    : jsonBlock(call.result);
  return openDialog({
    title: `${call.method}`,
    wide: true,
    content: el('div', { class: 'call-detail', dataset: { seq: String(call.seq) } },
      el('dl', { class: 'facts' },
        el('dt', {}, t('console.inspector.request')), el('dd', { class: 'mono' }, `${call.httpMethod} ${call.target}`),
        el('dt', {}, t('console.inspector.status')), el('dd', {}, badge(String(call.status), call.error ? 'bad' : 'ok')),
        el('dt', {}, t('console.inspector.caller')), el('dd', {}, callerOf(call)),
        el('dt', {}, t('console.inspector.time')), el('dd', {}, formatDate(call.at)),
        el('dt', {}, t('console.inspector.duration')), el('dd', {}, t('console.inspector.ms', { ms: call.durationMs })),
        call.fault ? [el('dt', {}, t('console.inspector.injected')), el('dd', { class: 'err' }, call.fault)] : null),
      el('h3', {}, t('console.inspector.params')), jsonBlock(call.params),
      el('h3', {}, t('console.inspector.answer')), outcome,
      el('h3', {}, t('console.inspector.headers')),
      el('dl', { class: 'headers mono' }, Object.entries(call.headers).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
      el('h3', {}, t('console.inspector.curl')),
      el('p', { class: 'dim' }, t('console.inspector.curlHint')),
      el('pre', { class: 'curl', tabindex: '0' }, call.curl),
      copyButton(call.curl, t('console.inspector.copyCurl'))),
  });
}

export const section = {
  id: 'inspector',
  title: () => t('console.inspector.title'),
  wide: true,
  async mount(card, ctx) {
    const calls = [];
    const method = el('input', { name: 'method', list: 'inspector-methods', autocomplete: 'off', placeholder: 'im.notify.system.add' });
    const methods = el('datalist', { id: 'inspector-methods' });
    const caller = el('select', { name: 'caller' }, el('option', { value: '' }, t('console.all')));
    const outcome = el('select', { name: 'outcome' },
      el('option', { value: '' }, t('console.all')),
      el('option', { value: 'ok' }, t('console.inspector.succeeded')),
      el('option', { value: 'error' }, t('console.inspector.failed')));
    const own = checkbox(t('console.inspector.showOwn'), { name: 'own' });
    const shown = el('p', { class: 'dim' });
    const body = el('tbody', { id: 'calls' });

    const visible = (c) => {
      if (!own.querySelector('input').checked && c.auth === 'session') return false;
      if (method.value.trim() && !c.method.toLowerCase().includes(method.value.trim().toLowerCase())) return false;
      if (caller.value && callerOf(c) !== caller.value) return false;
      if (outcome.value === 'ok' && c.error) return false;
      if (outcome.value === 'error' && !c.error) return false;
      return true;
    };
    const headers = [t('console.inspector.time'), t('console.inspector.method'), t('console.inspector.caller'), t('console.inspector.status'), t('console.ms'), t('console.inspector.params')];
    const row = (c) => labelled(el('tr', { dataset: { seq: String(c.seq), method: c.method, auth: c.auth ?? '' }, class: c.error ? 'failed' : '' },
      el('td', {}, timeCell(c.at)),
      el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => openCall(ctx, c.seq), 'aria-label': t('console.inspector.open', { method: c.method }) }, c.method),
        // A test server's injected fault answered this call, not the server (console-faults.js sets them).
        c.fault ? el('div', { class: 'err fault' }, t('console.inspector.fault', { fault: c.fault })) : null),
      el('td', {}, callerOf(c)),
      el('td', {}, c.error ? el('span', { class: 'err' }, `${c.status} ${c.error.error}`) : c.status),
      el('td', { class: 'num' }, c.durationMs),
      el('td', { class: 'preview mono' }, preview(c.params))), headers);
    const rows = new Map(); // seq → its <tr>, for the calls shown
    const count = () => {
      shown.textContent = t('console.inspector.shown', { count: rows.size, total: calls.length });
    };
    const render = () => {
      rows.clear();
      for (const c of calls) if (visible(c)) rows.set(c.seq, row(c));
      body.replaceChildren(...[...rows.values()].reverse());
      count();
    };
    const callers = new Set();
    const names = new Set();
    /** Caller and method choices grow as new ones appear (rebuilt only then, so an open list is left alone). */
    const options = () => {
      const before = callers.size + names.size;
      for (const c of calls) {
        callers.add(callerOf(c));
        names.add(c.method);
      }
      if (callers.size + names.size === before) return;
      const chosen = caller.value;
      caller.replaceChildren(el('option', { value: '' }, t('console.all')), ...[...callers].sort().map((c) => el('option', { value: c }, c)));
      caller.value = chosen;
      methods.replaceChildren(...[...names].sort().map((m) => el('option', { value: m })));
    };
    const add = (c) => {
      calls.push(c);
      if (calls.length > MAX_ROWS) {
        const gone = calls.shift();
        rows.get(gone.seq)?.remove();
        rows.delete(gone.seq);
      }
    };
    /**
     * A new call is added on top without redrawing the others, so a row someone is reading or
     * has focused stays where it is.
     */
    const arrived = (c) => {
      if (calls.length && c.seq <= calls.at(-1).seq) return; // already listed (it came while the list loaded)
      add(c);
      if (visible(c)) {
        const tr = row(c);
        rows.set(c.seq, tr);
        body.prepend(tr);
      }
      count();
    };

    for (const control of [method, caller, outcome, own.querySelector('input')]) control.addEventListener('input', render);
    const filters = el('form', { class: 'filters', 'aria-label': t('console.filters'), onsubmit: (e) => e.preventDefault() },
      field(t('console.inspector.method'), method), methods,
      field(t('console.inspector.caller'), caller),
      field(t('console.inspector.outcome'), outcome),
      own);
    const wrap = el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('console.inspector.title') },
      el('table', { class: 'calls stack' },
        el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: i === 5 ? 'preview' : '' }, h)))),
        body));
    card.append(el('p', { class: 'dim' }, t('console.inspector.intro')), filters, shown, wrap);

    const first = await ctx.api('inspector');
    first.calls.forEach(add);
    options();
    render();
    const source = new EventSource('/console/api/inspector/stream');
    source.onmessage = (e) => {
      let c;
      try {
        c = JSON.parse(e.data);
      } catch {
        return;
      }
      arrived(c);
      options();
    };
  },
};
