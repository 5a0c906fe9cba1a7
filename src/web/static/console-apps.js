// OAuth applications: create (client id and secret shown once), edit handler and scopes,
// reinstall (ONAPPINSTALL again), remove.
import { act, badge, checkbox, confirmAction, copyButton, el, field, listOf, onceBox, openDialog, t, table, toast } from './console-kit.js';

function stateOf(a) {
  if (!a.active) return badge(t('console.apps.removed'), 'bad');
  return a.installed ? badge(t('console.apps.installed'), 'ok') : badge(t('console.apps.notInstalled'));
}

function fields(a = {}) {
  return [
    field(t('console.apps.name'), el('input', { name: 'name', value: a.name ?? '', required: true, autocomplete: 'off' })),
    field(t('console.apps.scopes'), el('input', { name: 'scopes', value: (a.scopes ?? ['im']).join(','), autocomplete: 'off' })),
    field(t('console.apps.handler'), el('input', { name: 'handler_url', type: 'url', value: a.handler_url ?? '', placeholder: 'https://app.example.com/events', autocomplete: 'off' }), t('console.apps.handlerHint')),
    field(t('console.apps.redirect'), el('input', { name: 'redirect_uri', type: 'url', value: a.redirect_uri ?? '', placeholder: 'https://app.example.com/oauth', autocomplete: 'off' })),
  ];
}

const valuesOf = (f) => ({ name: f.name.value, scopes: listOf(f.scopes.value), handler_url: f.handler_url.value, redirect_uri: f.redirect_uri.value });

export const section = {
  id: 'apps',
  title: () => t('console.apps.title'),
  wide: true,
  async mount(card, ctx) {
    const list = el('div');
    const fresh = el('div', { class: 'fresh' });
    const load = async () => {
      const { apps } = await ctx.api('apps');
      ctx.emit('apps', apps);
      list.replaceChildren(table(t('console.apps.title'), [t('console.id'), t('console.apps.name'), t('console.apps.clientId'), t('console.apps.scopes'), t('console.apps.handler'), t('console.apps.state'), t('console.actions')],
        apps.map((a) => el('tr', { dataset: { id: String(a.id), name: a.name } },
          el('td', {}, a.id),
          el('td', {}, a.name, a.code ? el('div', { class: 'dim' }, a.code) : null),
          el('td', { class: 'mono' }, a.client_id, ' ', copyButton(a.client_id, t('console.copyWhat', { what: t('console.apps.clientId') }))),
          el('td', {}, a.scopes.join(', ')),
          el('td', { class: 'mono' }, a.handler_url || el('span', { class: 'dim' }, '—')),
          el('td', {}, stateOf(a)),
          el('td', { class: 'row-actions' }, a.active ? actions(a) : null))),
        t('console.apps.none')));
    };
    const actions = (a) => [
      el('button', {
        type: 'button',
        onclick: async () => {
          const saved = await openDialog({
            title: t('console.apps.editTitle', { name: a.name }),
            submit: t('console.save'),
            content: fields(a),
            onSubmit: (f) => ctx.api(`apps/${a.id}`, valuesOf(f)),
          });
          if (saved) {
            toast(t('console.apps.saved', { name: a.name }));
            await load();
          }
        },
      }, t('console.edit')),
      el('button', {
        type: 'button',
        onclick: (e) => act(e.currentTarget, async () => {
          const { queued } = await ctx.api(`apps/${a.id}/reinstall`, {});
          toast(queued ? t('console.apps.reinstalledQueued', { name: a.name }) : t('console.apps.reinstalled', { name: a.name }));
          await load();
          ctx.emit('deliveries-changed');
        }),
      }, t('console.apps.reinstall')),
      el('button', {
        type: 'button',
        class: 'danger',
        onclick: (e) => act(e.currentTarget, async () => {
          if (!(await confirmAction(t('console.apps.removeTitle', { name: a.name }), t('console.apps.removeText'), t('console.apps.remove')))) return;
          await ctx.api(`apps/${a.id}/remove`, {});
          toast(t('console.apps.removedToast', { name: a.name }));
          await load();
          ctx.emit('deliveries-changed');
        }),
      }, t('console.apps.remove')),
    ];

    const form = el('form', { class: 'add', 'aria-label': t('console.apps.add') },
      ...fields(),
      field(t('console.apps.code'), el('input', { name: 'code', autocomplete: 'off' })),
      checkbox(t('console.apps.installNow'), { name: 'install' }),
      el('button', { type: 'submit', class: 'primary' }, t('console.apps.add')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      return act(form.querySelector('[type=submit]'), async () => {
        const made = await ctx.api('apps', { ...valuesOf(form), code: form.code.value, install: form.install.checked });
        fresh.replaceChildren(onceBox(t('console.apps.created', { name: made.app.name }), [
          { label: 'client_id', value: made.client_id },
          { label: 'client_secret', value: made.client_secret },
        ]));
        form.reset();
        await load();
        ctx.emit('deliveries-changed');
      });
    });
    card.append(list, el('h3', {}, t('console.apps.add')), form, fresh);
    await load();
  },
};
