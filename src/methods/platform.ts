import { isoDate } from '../lib/clock.ts';
import { hasScope } from '../rest/caller.ts';
import { defineMethod } from '../rest/registry.ts';
import type { MethodContext } from '../rest/method.ts';
import { strval, toBool } from '../rest/php.ts';

/** Scopes the caller holds: a session holds every scope of the server. */
function grantedScopes(ctx: MethodContext): string[] {
  const all = ctx.deps.methods.scopes();
  return ctx.caller.scopes === null ? all : [...ctx.caller.scopes];
}

export const serverTime = defineMethod({
  name: 'server.time',
  scope: '_global',
  handler: (ctx) => isoDate(ctx.deps.clock.now()),
});

export const scope = defineMethod({
  name: 'scope',
  scope: '_global',
  handler: (ctx) => (toBool(ctx.params.get('FULL')) && ctx.params.str('FULL') !== 'false'
    ? ctx.deps.methods.scopes()
    : grantedScopes(ctx)),
});

export const methods = defineMethod({
  name: 'methods',
  scope: '_global',
  handler: (ctx) => {
    const listed = ctx.deps.methods.all().filter((m) => m.listed !== false);
    const full = toBool(ctx.params.get('FULL')) && ctx.params.str('FULL') !== 'false';
    let chosen;
    if (full) chosen = listed;
    else if (ctx.params.has('SCOPE')) {
      const wanted = strval(ctx.params.get('SCOPE'));
      chosen = listed.filter((m) => m.scope === (wanted === '' ? '_global' : wanted));
    } else chosen = listed.filter((m) => hasScope(ctx.caller, m.scope));
    return chosen.map((m) => m.name).sort();
  },
});

export const methodGet = defineMethod({
  name: 'method.get',
  scope: '_global',
  handler: (ctx) => {
    const def = ctx.params.str('NAME') ? ctx.deps.methods.find(ctx.params.str('NAME')) : undefined;
    return { isExisting: Boolean(def), isAvailable: def ? hasScope(ctx.caller, def.scope) : false };
  },
});

export const platformMethods = [serverTime, scope, methods, methodGet];
