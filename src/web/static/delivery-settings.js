// The center's settings tab: which notification types reach the user on which channel (center,
// e-mail, push), do-not-disturb and quiet hours — all through notify24.settings.get/set. Also
// tells the inbox which types the user switched off for the center (those are not shown).
import { el, toast } from './common.js';
import { t, typeName } from './i18n.js';

const CHANNELS = ['center', 'email', 'push'];
let hiddenTypes = new Set();

/** Whether the inbox shows this notification (its type is not switched off for the center). */
export function shownInCenter(n) {
  return !hiddenTypes.has(n.setting_name ?? `${n.notify_module}|${n.notify_event}`);
}

function remember(s) {
  hiddenTypes = new Set(Object.entries(s.settings).filter(([, c]) => !c.center).map(([type]) => type));
}

function switchesTable(s, save) {
  const head = el('tr', {}, el('th', { scope: 'col' }, t('settings.type')), ...CHANNELS.map((c) => el('th', { scope: 'col' }, t(`settings.channel.${c}`))));
  const rows = s.types.map((type) => el('tr', {},
    el('th', { scope: 'row' }, typeName(type.id, type.name)),
    ...CHANNELS.map((channel) => {
      const own = s.overrides[type.id]?.[channel];
      const input = el('input', {
        type: 'checkbox',
        name: `${type.id}:${channel}`,
        'aria-label': t('settings.switch', { type: typeName(type.id, type.name), channel: t(`settings.channel.${channel}`) }),
        title: own === undefined ? t('settings.fromDefault') : t('settings.own'),
        onchange: (e) => save({ SETTINGS: { [type.id]: { [channel]: e.target.checked ? 'Y' : 'N' } } }),
      });
      input.checked = s.settings[type.id][channel];
      return el('td', {}, input);
    })));
  return el('div', { class: 'table-wrap' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)));
}

function quietForm(s, save) {
  const dnd = el('input', { type: 'checkbox', name: 'dnd', onchange: (e) => save({ DND: e.target.checked ? 'Y' : 'N' }) });
  dnd.checked = s.dnd;
  const from = el('input', { type: 'time', name: 'quiet_from', value: s.quiet_hours?.from ?? '' });
  const to = el('input', { type: 'time', name: 'quiet_to', value: s.quiet_hours?.to ?? '' });
  return el('fieldset', {},
    el('legend', {}, t('settings.quiet')),
    el('label', { class: 'inline' }, dnd, t('settings.dnd')),
    el('label', {}, t('settings.quietFrom'), from),
    el('label', {}, t('settings.quietTo'), to),
    el('button', { type: 'button', class: 'save-quiet', onclick: () => save({ QUIET_HOURS: from.value && to.value ? { FROM: from.value, TO: to.value } : '' }) }, t('settings.save')),
    el('p', { class: 'muted' }, t('settings.quietHint', { zone: s.time_zone })),
  );
}

/**
 * Loads the user's settings (so the inbox can hide switched-off types) and builds the settings
 * panel in `panel`; `changed()` is called after every save so the inbox re-renders.
 */
export async function initSettings({ rest, panel, changed }) {
  let current = null;
  const render = () => {
    panel.replaceChildren(
      el('div', { class: 'settings card' },
        el('h2', {}, t('settings.heading')),
        el('p', { class: 'muted' }, t('settings.hint')),
        switchesTable(current, save),
        quietForm(current, save)),
    );
  };
  async function save(params) {
    try {
      current = await rest('notify24.settings.set', params);
      remember(current);
      render();
      changed();
      toast(t('settings.saved'));
    } catch (err) {
      toast(err.description ?? String(err), 'error');
      render();
    }
  }
  try {
    current = await rest('notify24.settings.get');
  } catch {
    return; // an older server without the settings: nothing hidden, no tab content
  }
  remember(current);
  render();
  changed();
}
