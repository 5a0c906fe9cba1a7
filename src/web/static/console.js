// The integrator's console: a shell that checks who is here and mounts the sections. Each
// section is its own module, console-<name>.js, exporting `section = { id, title, wide, mount }`;
// `mount(card, ctx)` fills its card. Adding a section is adding its file and its name below.
import { currentSession, el } from './common.js';
import { consoleClient, t } from './console-kit.js';

const SECTIONS = ['traffic', 'users', 'webhooks', 'apps', 'events', 'inspector'];

const $ = (id) => document.getElementById(id);

/** Why the console is not shown: not signed in (a way to sign in), or not an administrator (no such link). */
function deny(title, text, link) {
  $('denied-title').textContent = title;
  $('denied-text').textContent = text;
  $('denied-link').replaceChildren(link ?? '');
  $('denied-link').hidden = !link;
  $('denied').hidden = false;
  document.body.dataset.ready = 'denied';
}

/**
 * What sections share: the API, who is signed in, and news between sections ("the users are
 * now…"); a section that subscribes late still gets the latest news of that name.
 */
function context(session, me) {
  const bus = new EventTarget();
  const latest = new Map();
  return {
    api: consoleClient(session),
    session,
    me,
    on(name, fn) {
      bus.addEventListener(name, (e) => fn(e.detail));
      if (latest.has(name)) fn(latest.get(name));
    },
    emit(name, detail) {
      latest.set(name, detail);
      bus.dispatchEvent(new CustomEvent(name, { detail }));
    },
  };
}

async function mountSection(name, ctx) {
  const { section } = await import(`/web/console-${name}.js`);
  const heading = el('h2', { id: `${section.id}-title` }, section.title());
  const card = el('section', { id: section.id, class: `card${section.wide ? ' wide' : ''}`, 'aria-labelledby': `${section.id}-title` }, heading);
  $('sections').append(el('li', {}, el('a', { href: `#${section.id}` }, section.title())));
  return { card, ready: Promise.resolve().then(() => section.mount(card, ctx)) };
}

async function start() {
  const session = await currentSession();
  const me = session ? await consoleClient(session)('me').then((r) => r.user, () => null) : null;
  if (!me) {
    return deny(t('console.signInTitle'), t('console.signInText'), el('a', { href: '/?next=/console' }, t('console.signIn')));
  }
  if (!me.is_admin) {
    return deny(t('console.notAdminTitle'), t('console.notAdminText', { login: me.login }), el('a', { href: '/' }, t('console.backToCenter')));
  }
  const ctx = context(session, me);
  const mounted = [];
  for (const name of SECTIONS) mounted.push(await mountSection(name, ctx));
  $('console').prepend(...mounted.map((m) => m.card));
  $('console').hidden = false;
  $('sections').hidden = false;
  const results = await Promise.allSettled(mounted.map((m) => m.ready));
  results.forEach((r, i) => {
    if (r.status === 'rejected') mounted[i].card.append(el('p', { class: 'form-error', role: 'alert' }, t('console.sectionFailed', { error: r.reason?.message ?? String(r.reason) })));
  });
  document.body.dataset.ready = '1';
}

void start();
