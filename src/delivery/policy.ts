import type { Clock } from '../lib/clock.ts';
import type { Channel, DeliveryRule } from '../store/port/delivery.ts';
import type { Store } from '../store/port/store.ts';
import { NOTIFICATION_TYPES } from '../notify/schema.ts';
import { quietUntil } from './quiet-hours.ts';

export const CHANNELS: readonly Channel[] = ['center', 'email', 'push'];

/** What to do with one notification on one channel now. */
export type Decision =
  | { action: 'send' }
  /** Wait: do-not-disturb (until it is switched off: `until` null) or quiet hours (until `until`). */
  | { action: 'hold'; until: number | null; reason: 'dnd' | 'quiet-hours' }
  | { action: 'off' };

export interface PolicyDeps {
  store: Store;
  clock: Clock;
}

/** Switches per type and channel; a missing one counts as on. */
export type SwitchMatrix = Record<string, Record<Channel, boolean>>;

/** Rules over the built-in "everything on", for every known type plus the extra keys named. */
export function matrixOf(layers: DeliveryRule[][], extraKeys: string[] = []): SwitchMatrix {
  const out: SwitchMatrix = {};
  const keys = new Set([...NOTIFICATION_TYPES.map((t) => t.id), ...extraKeys]);
  for (const key of keys) out[key] = { center: true, email: true, push: true };
  for (const layer of layers) {
    for (const r of layer) (out[r.typeKey] ??= { center: true, email: true, push: true })[r.channel] = r.enabled;
  }
  return out;
}

/**
 * Whether a notification of type `typeKey` goes to `userId` on `channel` at `now`: the user's
 * own switch, else the administrator's default, else on. Do-not-disturb and quiet hours hold
 * e-mail and push, never the center (it only shows what the user opens).
 */
export async function decide(deps: PolicyDeps, userId: number, typeKey: string, channel: Channel, now = deps.clock.now()): Promise<Decision> {
  const { store } = deps;
  const [defaults, overrides] = await Promise.all([store.deliverySettings.defaults(), store.deliverySettings.overrides(userId)]);
  const enabled = matrixOf([defaults, overrides], [typeKey])[typeKey]![channel];
  if (!enabled) return { action: 'off' };
  if (channel === 'center') return { action: 'send' };
  const quiet = await store.deliverySettings.quiet(userId);
  if (quiet.dnd) return { action: 'hold', until: null, reason: 'dnd' };
  if (quiet.quietFrom && quiet.quietTo) {
    const user = await store.users.byId(userId);
    const until = quietUntil(now, quiet.quietFrom, quiet.quietTo, user?.timeZone ?? '');
    if (until !== null) return { action: 'hold', until, reason: 'quiet-hours' };
  }
  return { action: 'send' };
}

/** The policy as one object, for modules handed it as a dependency (`deliveryPolicy.decide`). */
export interface DeliveryPolicy {
  decide(userId: number, typeKey: string, channel: Channel, now?: number): Promise<Decision>;
}

export function deliveryPolicy(deps: PolicyDeps): DeliveryPolicy {
  return { decide: (userId, typeKey, channel, now) => decide(deps, userId, typeKey, channel, now) };
}
