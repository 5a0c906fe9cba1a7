// Incoming webhooks: who they act as, their scopes and last use; a new one's URL shown once,
// in its HTTP and HTTPS forms (official SDKs insist on HTTPS).
import { act, badge, confirmAction, el, field, listOf, onceBox, t, table, timeCell, toast } from './console-kit.js';

export const section = {
  id: 'webhooks',
  title: () => t('console.webhooks.title'),
  wide: false,
  async mount(card, ctx) {
    const list = el('div');
    const fresh = el('div', { class: 'fresh' });
    const load = async () => {
      const { webhooks } = await ctx.api('webhooks');
      list.replaceChildren(table(t('console.webhooks.title'), [t('console.id'), t('console.webhooks.user'), t('console.webhooks.titleField'), t('console.webhooks.scopes'), t('console.webhooks.lastUsed'), ''],
        webhooks.map((w) => el('tr', { dataset: { id: String(w.id) } },
          el('td', {}, w.id),
          el('td', {}, w.user ? el('span', {}, w.user.name || w.user.login, el('div', { class: 'dim' }, `#${w.user.id} · ${w.user.login}`)) : `#${w.user_id}`),
          el('td', {}, w.title),
          el('td', {}, w.scopes.join(', ')),
          el('td', {}, w.last_used_at ? timeCell(w.last_used_at) : el('span', { class: 'dim' }, t('console.webhooks.never'))),
          el('td', {}, w.active
            ? el('button', {
              type: 'button',
              class: 'revoke',
              onclick: (e) => act(e.currentTarget, async () => {
                if (!(await confirmAction(t('console.webhooks.revokeTitle', { id: w.id }), t('console.webhooks.revokeText'), t('console.webhooks.revoke')))) return;
                await ctx.api(`webhooks/${w.id}/revoke`, {});
                toast(t('console.webhooks.revoked', { id: w.id }));
                await load();
              }),
            }, t('console.webhooks.revoke'))
            : badge(t('console.webhooks.revokedState'), 'bad')))),
        t('console.webhooks.none')));
    };

    const users = el('select', { name: 'user_id', required: true });
    ctx.on('users', (all) => {
      const chosen = users.value;
      users.replaceChildren(...all.filter((u) => u.active).map((u) => el('option', { value: String(u.id) }, `${[u.name, u.last_name].filter(Boolean).join(' ') || u.login} (${u.login})`)));
      if (chosen) users.value = chosen;
    });
    const form = el('form', { class: 'add', 'aria-label': t('console.webhooks.add') },
      field(t('console.webhooks.user'), users),
      field(t('console.webhooks.titleField'), el('input', { name: 'title', autocomplete: 'off' })),
      field(t('console.webhooks.scopes'), el('input', { name: 'scopes', value: 'im,user', autocomplete: 'off' })),
      el('button', { type: 'submit', class: 'primary' }, t('console.webhooks.add')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      return act(form.querySelector('[type=submit]'), async () => {
        const made = await ctx.api('webhooks', { user_id: Number(users.value), title: form.title.value, scopes: listOf(form.scopes.value) });
        const items = [];
        if (made.urls.https) items.push({ label: t('console.webhooks.httpsUrl'), value: made.urls.https, hint: t('console.webhooks.httpsHint') });
        if (made.urls.http) items.push({ label: t('console.webhooks.httpUrl'), value: made.urls.http });
        fresh.replaceChildren(onceBox(t('console.webhooks.created', { id: made.webhook.id }), items));
        await load();
      });
    });
    card.append(list, el('h3', {}, t('console.webhooks.add')), form, fresh);
    await load();
  },
};
