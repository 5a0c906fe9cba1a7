import { LANGUAGE_ID } from '../apps/install.ts';
import { defineMethod } from '../rest/registry.ts';
import { errors } from '../errors/rest.ts';

/** A self-hosted server has no plan: the license reads `{lang}_selfhosted`. */
const LICENSE_TYPE = 'selfhosted';
const LICENSE = `${LANGUAGE_ID}_${LICENSE_TYPE}`;

/**
 * `app.info`: the calling application. A webhook has no application and gets the portal's
 * reduced answer (its scopes and the license); a browser session has no application context.
 */
export const appInfo = defineMethod({
  name: 'app.info',
  scope: '_global',
  handler: async (ctx) => {
    const { caller } = ctx;
    if (caller.kind === 'webhook') return { SCOPE: [...(caller.scopes ?? [])], LICENSE };
    if (caller.kind !== 'oauth' || !caller.clientId) throw errors.accessDenied('Application context required');
    const app = await ctx.deps.store.apps.byClientId(caller.clientId);
    if (!app) throw errors.applicationNotFound();
    return {
      ID: app.id,
      CODE: app.code,
      VERSION: app.version,
      STATUS: 'L',
      INSTALLED: app.installed,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID,
      LICENSE,
      LICENSE_TYPE,
      LICENSE_FAMILY: LICENSE_TYPE,
    };
  },
});

export const appMethods = [appInfo];
