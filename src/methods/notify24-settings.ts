import { defineMethod } from '../rest/registry.ts';
import type { MethodContext, MethodDef } from '../rest/method.ts';
import { errors } from '../errors/rest.ts';
import { defaultsView, parseQuietHours, parseSwitches, settingsView } from '../delivery/settings.ts';
import { switchValueOf } from '../delivery/switch-value.ts';

/**
 * notify24's extension methods for delivery settings. Bitrix24 has no REST method for them,
 * so they carry the `notify24.` prefix and can never collide with a portal method.
 */

export const notify24SettingsGet = defineMethod({
  name: 'notify24.settings.get',
  scope: 'im',
  handler: (ctx) => settingsView(ctx.deps, ctx.caller.userId),
});

export const notify24SettingsSet = defineMethod({
  name: 'notify24.settings.set',
  scope: 'im',
  handler: async (ctx) => {
    const { store, clock } = ctx.deps;
    const userId = ctx.caller.userId;
    // Every parameter is checked before anything is stored.
    const changes = parseSwitches(ctx.params.get('SETTINGS'));
    const quiet = await store.deliverySettings.quiet(userId);
    const dnd = ctx.params.has('DND') ? switchValueOf(ctx.params.get('DND'), 'DND') : null;
    const hours = ctx.params.has('QUIET_HOURS') ? parseQuietHours(ctx.params.get('QUIET_HOURS')) : null;
    const now = clock.now();
    if (changes.length) await store.deliverySettings.setOverrides(userId, changes, now);
    if (dnd !== null || hours) await store.deliverySettings.setQuiet(userId, { ...quiet, ...(dnd !== null ? { dnd } : {}), ...hours }, now);
    return settingsView(ctx.deps, userId);
  },
});

async function requireAdmin(ctx: MethodContext): Promise<void> {
  const user = await ctx.deps.store.users.byId(ctx.caller.userId);
  if (!user?.isAdmin) throw errors.accessDenied('Only an administrator sets the defaults');
}

export const notify24SettingsDefaultsSet = defineMethod({
  name: 'notify24.settings.defaults.set',
  scope: 'im',
  handler: async (ctx) => {
    await requireAdmin(ctx);
    const changes = parseSwitches(ctx.params.get('SETTINGS'));
    if (changes.length) await ctx.deps.store.deliverySettings.setDefaults(changes, ctx.deps.clock.now());
    return defaultsView(ctx.deps);
  },
});

export const notify24SettingsMethods: MethodDef[] = [notify24SettingsGet, notify24SettingsSet, notify24SettingsDefaultsSet];
