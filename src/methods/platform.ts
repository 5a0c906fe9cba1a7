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

/** `full` is read as PHP reads a flag: any non-empty value but "0" (even "false"). */
const wantsFull = (ctx: MethodContext) => toBool(ctx.params.get('FULL'));

export const scope = defineMethod({
  name: 'scope',
  scope: '_global',
  handler: (ctx) => (wantsFull(ctx) ? ctx.deps.methods.scopes() : grantedScopes(ctx)),
});

/**
 * `methods`: SCOPE (when sent) names one scope, empty meaning `_global`; else FULL lists every
 * scope; else the caller's scopes and `_global`. Methods the portal marks private are left out.
 */
export const methods = defineMethod({
  name: 'methods',
  scope: '_global',
  handler: (ctx) => {
    const listed = ctx.deps.methods.all().filter((m) => m.listed !== false);
    let chosen;
    if (ctx.params.has('SCOPE')) {
      const wanted = strval(ctx.params.get('SCOPE'));
      chosen = listed.filter((m) => m.scope === (wanted === '' ? '_global' : wanted));
    } else if (wantsFull(ctx)) chosen = listed;
    else chosen = listed.filter((m) => hasScope(ctx.caller, m.scope));
    return chosen.map((m) => m.name).sort();
  },
});

/** `name` is read exactly as sent (lower case, not folded), and matched exactly. */
export const methodGet = defineMethod({
  name: 'method.get',
  scope: '_global',
  rawKeys: true,
  handler: (ctx) => {
    const name = strval(ctx.params.get('name'));
    const def = name ? ctx.deps.methods.find(name) : undefined;
    const exists = def !== undefined && def.name === name;
    return { isExisting: exists, isAvailable: exists ? hasScope(ctx.caller, def.scope) : false };
  },
});

export const platformMethods = [serverTime, scope, methods, methodGet];
