// The event delivery log (what `notify24 events` prints): filter by status and application,
// open a delivery's attempts, retry a failed one.
import { act, badge, el, field, formatDate, jsonBlock, openDialog, t, table, timeCell, toast } from './console-kit.js';

const REFRESH_MS = 5000;
const KIND = { delivered: 'ok', failed: 'bad', pending: 'accent' };

function lastResult(d) {
  if (d.last_error) return d.last_error;
  return d.last_status === null ? '—' : `HTTP ${d.last_status}`;
}

function details(d) {
  return openDialog({
    title: t('console.events.detailTitle', { id: d.id, event: d.event }),
    wide: true,
    content: [
      el('dl', { class: 'facts' },
        el('dt', {}, t('console.events.handler')), el('dd', { class: 'mono' }, d.handler),
        el('dt', {}, t('console.events.status')), el('dd', {}, badge(t(`console.events.${d.status}`), KIND[d.status])),
        d.next_attempt_at ? [el('dt', {}, t('console.events.nextAttempt')), el('dd', {}, formatDate(d.next_attempt_at))] : null),
      el('h3', {}, t('console.events.attempts')),
      table(t('console.events.attempts'), [t('console.events.time'), 'HTTP', t('console.events.result'), t('console.ms')],
        d.log.map((a) => el('tr', {}, el('td', {}, formatDate(a.at)), el('td', {}, a.status ?? '—'), el('td', {}, a.error ?? t('console.events.ok')), el('td', {}, a.ms))),
        t('console.events.noAttempts')),
      el('h3', {}, t('console.events.data')),
      jsonBlock(d.data),
    ],
  });
}

export const section = {
  id: 'events',
  title: () => t('console.events.title'),
  wide: true,
  async mount(card, ctx) {
    const status = el('select', { name: 'status' },
      ['', 'failed', 'pending', 'delivered'].map((s) => el('option', { value: s }, s ? t(`console.events.${s}`) : t('console.all'))));
    const app = el('select', { name: 'app' }, el('option', { value: '' }, t('console.all')));
    ctx.on('apps', (apps) => {
      const chosen = app.value;
      app.replaceChildren(el('option', { value: '' }, t('console.all')), ...apps.map((a) => el('option', { value: String(a.id) }, a.name)));
      app.value = chosen;
    });
    const list = el('div');
    let drawn = '';
    const load = async () => {
      const q = new URLSearchParams({ limit: '100' });
      if (status.value) q.set('status', status.value);
      if (app.value) q.set('app', app.value);
      const { deliveries } = await ctx.api(`events?${q}`);
      // Redrawn only when something changed: a focused button stays focused between refreshes.
      const seen = JSON.stringify([q.toString(), deliveries]);
      if (seen === drawn) return;
      drawn = seen;
      list.replaceChildren(table(t('console.events.title'), [t('console.id'), t('console.events.time'), t('console.events.app'), t('console.events.event'), t('console.events.status'), t('console.events.attemptsShort'), t('console.events.result'), t('console.actions')],
        deliveries.map((d) => el('tr', { dataset: { id: String(d.id), status: d.status } },
          el('td', {}, d.id),
          el('td', {}, timeCell(d.created_at)),
          el('td', {}, d.app_name ?? `#${d.app_id}`),
          el('td', {}, d.event, el('div', { class: 'dim mono' }, d.handler)),
          el('td', {}, badge(t(`console.events.${d.status}`), KIND[d.status])),
          el('td', {}, d.attempts),
          el('td', {}, lastResult(d)),
          el('td', { class: 'row-actions' },
            el('button', { type: 'button', onclick: () => details(d) }, t('console.details')),
            d.status === 'failed'
              ? el('button', {
                type: 'button',
                class: 'retry',
                onclick: (e) => act(e.currentTarget, async () => {
                  await ctx.api(`events/${d.id}/retry`, {});
                  toast(t('console.events.retried', { id: d.id }));
                  await load();
                }),
              }, t('console.events.retry'))
              : null))),
        status.value ? t('console.events.noneWithStatus') : t('console.events.none')));
    };
    const filters = el('form', { class: 'filters', 'aria-label': t('console.filters'), onsubmit: (e) => e.preventDefault() },
      field(t('console.events.status'), status),
      field(t('console.events.app'), app),
      el('button', { type: 'button', onclick: (e) => act(e.currentTarget, load) }, t('console.refresh')));
    status.addEventListener('change', () => act(null, load));
    app.addEventListener('change', () => act(null, load));
    ctx.on('deliveries-changed', () => act(null, load));
    card.append(filters, list);
    await load();
    // Deliveries change on their own (the job posts them, retries come due): keep the log current.
    setInterval(() => {
      if (!document.hidden && !document.querySelector('dialog[open]')) void load().catch(() => undefined);
    }, REFRESH_MS);
  },
};
