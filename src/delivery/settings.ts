import type { PolicyDeps } from './policy.ts';
import { CHANNELS, matrixOf, type SwitchMatrix } from './policy.ts';
import { errors } from '../errors/rest.ts';
import { isMap } from '../rest/php.ts';
import { NOTIFICATION_TYPES } from '../notify/schema.ts';
import { parseClockTime, quietUntil, usableTimeZone } from './quiet-hours.ts';
import { isoDate } from '../lib/clock.ts';
import { switchValueOf } from './switch-value.ts';
import type { Channel, DeliveryRule, DeliveryRuleChange, QuietSettings } from '../store/port/delivery.ts';

const KNOWN_TYPES = new Set(NOTIFICATION_TYPES.map((t) => t.id));

/** `SETTINGS` = `{"module|event": {"center"|"email"|"push": "Y"|"N"|""}}` → changes. */
export function parseSwitches(value: unknown): DeliveryRuleChange[] {
  if (value === undefined || value === null || value === '') return [];
  if (!isMap(value)) throw errors.invalidSetting('SETTINGS must map notification types to channels');
  const changes: DeliveryRuleChange[] = [];
  for (const [typeKey, channels] of Object.entries(value)) {
    if (!KNOWN_TYPES.has(typeKey)) throw errors.invalidSetting(`unknown notification type ${typeKey}`);
    if (!isMap(channels)) throw errors.invalidSetting(`SETTINGS[${typeKey}] must map channels to Y or N`);
    for (const [channel, v] of Object.entries(channels)) {
      const lower = channel.toLowerCase() as Channel;
      if (!CHANNELS.includes(lower)) throw errors.invalidSetting(`unknown channel ${channel} (center, email, push)`);
      changes.push({ typeKey, channel: lower, enabled: switchValueOf(v, `SETTINGS[${typeKey}][${channel}]`) });
    }
  }
  return changes;
}

/** `QUIET_HOURS` = `{FROM: "22:00", TO: "07:00"}`, or '' / `N` for none. */
export function parseQuietHours(value: unknown): Pick<QuietSettings, 'quietFrom' | 'quietTo'> {
  if (value === '' || value === null || value === 'N') return { quietFrom: '', quietTo: '' };
  const upper = isMap(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toUpperCase(), v])) : null;
  const from = String(upper?.FROM ?? '');
  const to = String(upper?.TO ?? '');
  if (parseClockTime(from) === null || parseClockTime(to) === null) throw errors.invalidSetting('QUIET_HOURS needs FROM and TO written HH:MM');
  return { quietFrom: from, quietTo: to };
}

const nested = (rules: DeliveryRule[]): Record<string, Partial<Record<Channel, boolean>>> => {
  const out: Record<string, Partial<Record<Channel, boolean>>> = {};
  for (const r of rules) (out[r.typeKey] ??= {})[r.channel] = r.enabled;
  return out;
};

/** What notify24.settings.get answers for one user. */
export async function settingsView(deps: PolicyDeps, userId: number): Promise<Record<string, unknown>> {
  const { store } = deps;
  const [defaults, overrides, quiet, user] = await Promise.all([
    store.deliverySettings.defaults(),
    store.deliverySettings.overrides(userId),
    store.deliverySettings.quiet(userId),
    store.users.byId(userId),
  ]);
  const zone = usableTimeZone(user?.timeZone ?? '');
  const held = quiet.quietFrom ? quietUntil(deps.clock.now(), quiet.quietFrom, quiet.quietTo, zone) : null;
  return {
    types: NOTIFICATION_TYPES.map((t) => ({ id: t.id, module: t.module, name: t.name })),
    channels: CHANNELS,
    settings: matrixOf([defaults, overrides]),
    overrides: nested(overrides),
    defaults: matrixOf([defaults]),
    dnd: quiet.dnd,
    quiet_hours: quiet.quietFrom ? { from: quiet.quietFrom, to: quiet.quietTo } : null,
    time_zone: zone,
    quiet_until: held === null ? null : isoDate(held),
  };
}

/** The switch matrix every user starts from (what notify24.settings.defaults.set answers). */
export async function defaultsView(deps: PolicyDeps): Promise<SwitchMatrix> {
  return matrixOf([await deps.store.deliverySettings.defaults()]);
}
