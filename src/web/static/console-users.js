// Users: list, add, edit (name, e-mail, administrator), deactivate/reactivate, set a password.
import { act, badge, checkbox, el, field, openDialog, t, table, toast } from './console-kit.js';

const fullName = (u) => [u.name, u.last_name].filter(Boolean).join(' ');

function editDialog(ctx, user) {
  const admin = checkbox(t('console.users.isAdmin'), { name: 'is_admin', checked: user.is_admin, disabled: user.id === ctx.me.id });
  return openDialog({
    title: t('console.users.editTitle', { login: user.login }),
    submit: t('console.save'),
    content: [
      field(t('console.users.name'), el('input', { name: 'name', value: user.name, required: true, autocomplete: 'off' })),
      field(t('console.users.lastName'), el('input', { name: 'last_name', value: user.last_name, autocomplete: 'off' })),
      field(t('console.users.email'), el('input', { name: 'email', type: 'email', value: user.email, autocomplete: 'off' })),
      admin,
    ],
    onSubmit: async (f) => {
      const body = { name: f.name.value, last_name: f.last_name.value, email: f.email.value };
      if (user.id !== ctx.me.id) body.is_admin = f.is_admin.checked;
      await ctx.api(`users/${user.id}`, body);
      toast(t('console.users.saved', { login: user.login }));
    },
  });
}

function passwordDialog(ctx, user) {
  return openDialog({
    title: t('console.users.passwordTitle', { login: user.login }),
    submit: t('console.users.setPassword'),
    content: [
      field(t('console.users.newPassword'), el('input', { name: 'password', type: 'password', minlength: '8', required: true, autocomplete: 'new-password' }), t('console.users.passwordHint')),
    ],
    onSubmit: async (f) => {
      await ctx.api(`users/${user.id}/password`, { password: f.password.value });
      toast(t('console.users.passwordSet', { login: user.login }));
    },
  });
}

export const section = {
  id: 'users',
  title: () => t('console.users.title'),
  wide: false,
  async mount(card, ctx) {
    const list = el('div');
    const load = async () => {
      const { users } = await ctx.api('users');
      list.replaceChildren(table(t('console.users.title'), [t('console.id'), t('console.users.login'), t('console.users.name'), t('console.users.state'), t('console.actions')],
        users.map((u) => row(u)), t('console.users.none')));
      ctx.emit('users', users);
    };
    const row = (u) => {
      const self = u.id === ctx.me.id;
      const toggle = el('button', {
        type: 'button',
        disabled: self,
        title: self ? t('console.users.notYourself') : undefined,
        onclick: (e) => act(e.currentTarget, async () => {
          await ctx.api(`users/${u.id}`, { active: !u.active });
          toast(t(u.active ? 'console.users.deactivated' : 'console.users.reactivated', { login: u.login }));
          await load();
        }),
      }, u.active ? t('console.users.deactivate') : t('console.users.reactivate'));
      return el('tr', { dataset: { id: String(u.id), login: u.login } },
        el('td', {}, u.id),
        el('td', {}, u.login),
        el('td', {}, fullName(u), u.email ? el('div', { class: 'dim' }, u.email) : null),
        el('td', {}, u.is_admin ? badge(t('console.users.admin'), 'accent') : null, ' ', u.active ? null : badge(t('console.users.inactive'), 'bad')),
        el('td', { class: 'row-actions' },
          el('button', { type: 'button', onclick: async () => { if (await editDialog(ctx, u)) await load(); } }, t('console.edit')),
          el('button', { type: 'button', onclick: () => passwordDialog(ctx, u) }, t('console.users.setPassword')),
          toggle));
    };

    const form = el('form', { class: 'add', 'aria-label': t('console.users.add') },
      field(t('console.users.login'), el('input', { name: 'login', required: true, autocomplete: 'off', pattern: '[\\w.@\\-]{1,64}' })),
      field(t('console.users.name'), el('input', { name: 'name', autocomplete: 'off' })),
      field(t('console.users.email'), el('input', { name: 'email', type: 'email', autocomplete: 'off' })),
      field(t('console.users.password'), el('input', { name: 'password', type: 'password', minlength: '8', autocomplete: 'new-password' })),
      checkbox(t('console.users.isAdmin'), { name: 'is_admin' }),
      el('button', { type: 'submit', class: 'primary' }, t('console.users.add')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      return act(form.querySelector('[type=submit]'), async () => {
        await ctx.api('users', { login: form.login.value, name: form.name.value, email: form.email.value, password: form.password.value, is_admin: form.is_admin.checked });
        form.reset();
        toast(t('console.users.added'));
        await load();
      });
    });
    card.append(list, el('h3', {}, t('console.users.add')), form);
    await load();
  },
};
