import { defineMethod, type MethodContext, type MethodDef } from '../rest/registry.ts';
import { RestError } from '../rest/errors.ts';
import { asList, intval, isDigits, isMap, strval } from '../rest/php.ts';
import {
  PAGE_LIMIT,
  deleteByAppTag,
  deleteOwn,
  getPage,
  markRead,
  markReadFrom,
  normalizeText,
  readAll,
  refuseSession,
  sendNotification,
} from '../notify/service.ts';
import { addTagOwner, deleteTagOwner } from '../notify/tags.ts';
import { historySearch } from '../notify/search.ts';
import { answerNotification, confirmNotification, parseButtons } from '../notify/respond.ts';

const paramsError = (text = 'Incorrect params') => new RestError('PARAMS_ERROR', text, 400);

/** Shared by im.notify, im.notify.personal.add and im.notify.system.add. */
async function send(ctx: MethodContext, system: boolean): Promise<number | false> {
  refuseSession(ctx.caller);
  const p = ctx.params;
  const userId = p.int('USER_ID');
  if (userId <= 0) throw new RestError('USER_ID_EMPTY', "User ID can't be empty");
  const text = normalizeText(p.str('MESSAGE'));
  if (text === '') throw new RestError('MESSAGE_EMPTY', "Message can't be empty");
  const owner = addTagOwner(ctx.caller, p.str('CLIENT_ID'), ctx.services.config.webhookTagsWithClientId);
  // Extensions (docs/notify.md): BUTTONS makes a confirm notification, ANSWER=Y a quick-answer one.
  const buttons = parseButtons(p.get('BUTTONS'));
  return sendNotification(ctx.services, {
    userId,
    authorId: system ? 0 : ctx.caller.userId,
    type: buttons.length ? 1 : system ? 4 : 2,
    text,
    tagOwner: owner,
    tag: p.empty('TAG') ? '' : p.str('TAG'),
    subTag: p.empty('SUB_TAG') ? '' : p.str('SUB_TAG'),
    title: '',
    buttons: buttons.length ? JSON.stringify(buttons) : '',
    params: p.str('ANSWER') === 'Y' ? { CAN_ANSWER: 'Y' } : null,
    senderClientId: ctx.caller.clientId ?? '',
  });
}

export const imNotify = defineMethod({
  name: 'im.notify',
  scope: 'im',
  handler: (ctx) => send(ctx, ctx.params.str('TYPE').toUpperCase() === 'SYSTEM'),
});

export const imNotifyPersonalAdd = defineMethod({ name: 'im.notify.personal.add', scope: 'im', handler: (ctx) => send(ctx, false) });

export const imNotifySystemAdd = defineMethod({ name: 'im.notify.system.add', scope: 'im', handler: (ctx) => send(ctx, true) });

export const imNotifyGet = defineMethod({
  name: 'im.notify.get',
  scope: 'im',
  handler: async (ctx) => {
    const p = ctx.params;
    if (p.has('LAST_ID') !== p.has('LAST_TYPE')) {
      throw new RestError('LAST_ID_AND_LAST_TYPE', 'Parameters LAST_ID and LAST_TYPE should be used together.');
    }
    if (p.has('LAST_ID') && !isDigits(p.get('LAST_ID'))) throw new RestError('LAST_ID_STRING', "Last notification ID can't be string");
    const asked = p.has('LIMIT') ? p.int('LIMIT') : PAGE_LIMIT;
    const limit = asked <= 0 ? null : Math.min(asked, PAGE_LIMIT);
    return getPage(ctx.services, ctx.caller.userId, {
      lastId: p.has('LAST_ID') ? p.int('LAST_ID') : null,
      lastType: p.has('LAST_TYPE') ? p.int('LAST_TYPE') : null,
      limit,
      convertText: p.flag('CONVERT_TEXT'),
    });
  },
});

export const imNotifyRead = defineMethod({
  name: 'im.notify.read',
  scope: 'im',
  handler: async (ctx) => {
    const p = ctx.params;
    if (!p.has('ID')) return true;
    const read = !p.has('ACTION') || p.str('ACTION') === 'Y';
    const id = p.int('ID');
    if (id <= 0) await markReadFrom(ctx.services, ctx.caller.userId, 0, read, true);
    else if (p.str('ONLY_CURRENT') === 'Y') await markRead(ctx.services, ctx.caller.userId, [id], read);
    else await markReadFrom(ctx.services, ctx.caller.userId, id, read, false);
    return true;
  },
});

export const imNotifyReadList = defineMethod({
  name: 'im.notify.read.list',
  scope: 'im',
  handler: async (ctx) => {
    const list = asList(ctx.params.get('IDS'));
    if (!list) throw paramsError('No IDS param or it is not an array');
    const ids: number[] = [];
    for (const v of list) {
      const id = intval(v);
      if (id <= 0) break;
      ids.push(id);
    }
    await markRead(ctx.services, ctx.caller.userId, ids, ctx.params.str('ACTION') === 'Y' || !ctx.params.has('ACTION'));
    return true;
  },
});

export const imNotifyReadAll = defineMethod({
  name: 'im.notify.read.all',
  scope: 'im',
  handler: async (ctx) => ({ result: true, newCounter: await readAll(ctx.services, ctx.caller.userId) }),
});

export const imNotifyDelete = defineMethod({
  name: 'im.notify.delete',
  scope: 'im',
  handler: async (ctx) => {
    const p = ctx.params;
    if (p.has('ID') && !p.empty('ID')) {
      const raw = p.get('ID');
      const ids = (Array.isArray(raw) || isMap(raw) ? Object.values(raw) : [raw]).map(intval).filter((id) => id > 0);
      return deleteOwn(ctx.services, ctx.caller.userId, ids);
    }
    const byTag = !p.empty('TAG');
    if ((!byTag && p.empty('SUB_TAG')) || ctx.caller.kind === 'session') throw paramsError();
    const owner = deleteTagOwner(ctx.caller, p.str('CLIENT_ID'));
    if (!owner) throw new RestError('ACCESS_DENIED', 'Access denied! Client ID not specified', 403);
    if (byTag) {
      await deleteByAppTag(ctx.services, 'tag', owner, p.str('TAG'));
      return true;
    }
    return deleteByAppTag(ctx.services, 'sub_tag', owner, strval(p.get('SUB_TAG')));
  },
});

export const imNotifyHistorySearch = defineMethod({
  name: 'im.notify.history.search',
  scope: 'im',
  handler: (ctx) => historySearch(ctx.services, ctx.caller.userId, ctx.params),
});

/** ID wins over NOTIFY_ID, as on the portal. */
function notifyId(ctx: MethodContext): number {
  const id = ctx.params.has('ID') ? ctx.params.int('ID') : ctx.params.int('NOTIFY_ID');
  if (id <= 0) throw new RestError('ID_ERROR', "Notification ID can't be empty");
  return id;
}

export const imNotifyConfirm = defineMethod({
  name: 'im.notify.confirm',
  scope: 'im',
  handler: async (ctx) => {
    const id = notifyId(ctx);
    if (ctx.params.empty('NOTIFY_VALUE')) throw new RestError('NOTIFY_VALUE_ERROR', "Notification Value  can't be empty");
    return { result_message: await confirmNotification(ctx.services, ctx.caller.userId, id, ctx.params.str('NOTIFY_VALUE')) };
  },
});

export const imNotifyAnswer = defineMethod({
  name: 'im.notify.answer',
  scope: 'im',
  handler: async (ctx) => {
    const id = notifyId(ctx);
    if (ctx.params.empty('ANSWER_TEXT')) throw new RestError('ANSWER_TEXT_ERROR', "ANSWER_TEXT can't be empty");
    return { result_message: await answerNotification(ctx.services, ctx.caller.userId, id, ctx.params.str('ANSWER_TEXT')) };
  },
});

export const imNotifyMethods: MethodDef[] = [
  imNotifyConfirm,
  imNotifyAnswer,
  imNotifyHistorySearch,
  imNotify,
  imNotifyPersonalAdd,
  imNotifySystemAdd,
  imNotifyGet,
  imNotifyRead,
  imNotifyReadList,
  imNotifyReadAll,
  imNotifyDelete,
];
