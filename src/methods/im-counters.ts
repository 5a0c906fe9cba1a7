import { defineMethod } from '../rest/registry.ts';
import type { MethodDef } from '../rest/method.ts';
import { isEmpty } from '../rest/php.ts';

/** `CHAT_MUTED` → `chatMuted`, as the portal converts keys when JSON=Y. */
function camel(key: string): string {
  return key.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), camelKeys(v)]));
  }
  return value;
}

/**
 * im.counters.get in the portal's full shape. notify24 has notifications but no chats, so
 * every chat counter is zero and every map empty (empty PHP arrays print as `[]`);
 * `TYPE.ALL` = `MESSENGER` + `NOTIFY`. Keys are read exactly as sent (ONLY_COUNTER, JSON).
 */
export const imCountersGet = defineMethod({
  name: 'im.counters.get',
  scope: 'im',
  rawKeys: true,
  handler: async (ctx) => {
    const notify = await ctx.deps.store.notifications.count(ctx.caller.userId, true);
    const messenger = 0;
    const type = { ALL: messenger + notify, NOTIFY: notify, CHAT: 0, LINES: 0, DIALOG: 0, COPILOT: 0, COLLAB: 0, MESSENGER: messenger, TASKS_TASK: 0 };
    const full: Record<string, unknown> = {
      CHAT: [], CHAT_MUTED: [], CHAT_UNREAD: [], LINES: [], DIALOG: [], DIALOG_UNREAD: [], COLLAB: [], COLLAB_UNREAD: [],
      COPILOT: [], COPILOT_UNREAD: [], CHANNEL_COMMENT: [], TASKS_TASK: [], TASKS_TASK_UNREAD: [], TYPE: type,
    };
    const result = isEmpty(ctx.raw.ONLY_COUNTER) ? full : type;
    return ctx.raw.JSON === 'Y' ? camelKeys(result) : result;
  },
});

export const imCountersMethods: MethodDef[] = [imCountersGet];
