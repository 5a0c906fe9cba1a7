import { defineMethod, type MethodDef } from '../rest/registry.ts';

/** im.counters.get: only the notification part is real here; chats have no counters yet. */
export const imCountersGet = defineMethod({
  name: 'im.counters.get',
  scope: 'im',
  rawKeys: true,
  handler: async (ctx) => ({
    CHAT: {},
    LINES: {},
    DIALOG: {},
    CHAT_MUTED: [],
    CHAT_UNREAD: [],
    TYPE: { ALL: 0, NOTIFY: await ctx.services.store.notifications.count(ctx.caller.userId, true), DIALOG: 0, CHAT: 0, LINES: 0 },
  }),
});

export const imCountersMethods: MethodDef[] = [imCountersGet];
