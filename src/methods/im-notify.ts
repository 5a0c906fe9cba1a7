import { defineMethod } from '../rest/registry.ts';
import { settle } from '../lib/maybe.ts';
import type { MethodContext, MethodDef } from '../rest/method.ts';
import { asList, intval, isDigits, isMap, phpTrim, strval } from '../rest/php.ts';
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
import { getPageJson } from '../notify/page-json.ts';
import { parseAttach } from '../notify/attach.ts';
import { htmlToBbCode } from '../notify/html-to-bb.ts';
import { applicationName } from '../notify/app-name.ts';
import { parseButtons } from '../notify/buttons.ts';
import { answerNotification, confirmNotification } from '../notify/respond.ts';
import { errors } from '../errors/rest.ts';
import { NOTIFY_SCHEMA } from '../notify/schema.ts';


/** The portal's fixed types: im.notify reads TYPE case-sensitively, anything else is USER. */
type SendKind = 'USER' | 'SYSTEM' | 'BY_TYPE';

/** A string parameter as the sending methods read it: any other JSON type counts as "". */
function stringParam(ctx: MethodContext, key: string): string {
  const v = ctx.params.get(key);
  return typeof v === 'string' ? phpTrim(v) : '';
}

/**
 * Shared by im.notify, im.notify.personal.add and im.notify.system.add, checking in the
 * portal's order: auth kind, recipient, message, tags, attachment.
 */
async function send(ctx: MethodContext, kind: SendKind): Promise<number | false> {
  refuseSession(ctx.caller);
  const p = ctx.params;
  const userId = intval(p.has('TO') ? p.get('TO') : p.get('USER_ID'));
  if (userId <= 0) throw errors.userIdEmpty();
  const system = kind === 'SYSTEM' || (kind === 'BY_TYPE' && p.get('TYPE') === 'SYSTEM');
  const message = stringParam(ctx, 'MESSAGE');
  if (message === '') throw errors.messageEmpty();
  const owner = addTagOwner(ctx.caller, p.str('CLIENT_ID'), ctx.deps.config.webhookTagsWithClientId);
  const attach = parseAttach(p.get('ATTACH'), Math.floor(ctx.deps.clock.now() / 1000));
  const prefix = system ? await systemPrefix(ctx) : '';
  const messageOut = stringParam(ctx, 'MESSAGE_OUT');
  // Extensions (docs/notify.md): BUTTONS makes a confirm notification, ANSWER=Y a quick-answer one.
  const buttons = parseButtons(p.get('BUTTONS'));
  const params: Record<string, unknown> = {};
  if (attach) params.ATTACH = [attach];
  if (p.str('ANSWER') === 'Y') params.CAN_ANSWER = 'Y';
  return sendNotification(ctx.deps, {
    userId,
    authorId: system ? 0 : ctx.caller.userId,
    type: buttons.length ? 1 : system ? 4 : 2,
    text: htmlToBbCode(normalizeText(prefix + message)),
    messageOut: messageOut && prefix ? normalizeText(prefix + messageOut) : messageOut,
    tagOwner: owner,
    tag: p.empty('TAG') ? '' : p.str('TAG'),
    subTag: p.empty('SUB_TAG') ? '' : p.str('SUB_TAG'),
    title: '',
    buttons: buttons.length ? JSON.stringify(buttons) : '',
    params: Object.keys(params).length ? params : null,
    senderClientId: ctx.caller.clientId ?? '',
  });
}

/** A SYSTEM notification from an OAuth application starts with the application's name. */
async function systemPrefix(ctx: MethodContext): Promise<string> {
  const name = await applicationName(ctx.deps.store, ctx.caller.clientId);
  return name ? `${name}#BR#` : '';
}

export const imNotify = defineMethod({
  name: 'im.notify',
  scope: 'im',
  sharesBatchCommit: true,
  handler: (ctx) => send(ctx, 'BY_TYPE'),
});

export const imNotifyPersonalAdd = defineMethod({ name: 'im.notify.personal.add', scope: 'im', sharesBatchCommit: true, handler: (ctx) => send(ctx, 'USER') });

export const imNotifySystemAdd = defineMethod({ name: 'im.notify.system.add', scope: 'im', sharesBatchCommit: true, handler: (ctx) => send(ctx, 'SYSTEM') });

// Callable but marked private on the portal, so `methods` does not list it (also history.search, schema.get).
// Not `sharesBatchCommit`: rendered notifications are kept by id (notify/rendered.ts), so a
// page must only ever read committed rows.
export const imNotifyGet = defineMethod({
  name: 'im.notify.get',
  scope: 'im',
  listed: false,
  handler: async (ctx) => {
    const p = ctx.params;
    if (p.has('LAST_ID') !== p.has('LAST_TYPE')) {
      throw errors.lastIdAndLastType();
    }
    if (p.has('LAST_ID') && !isDigits(p.get('LAST_ID'))) throw errors.lastIdString();
    const asked = p.has('LIMIT') ? p.int('LIMIT') : PAGE_LIMIT;
    const limit = asked <= 0 ? null : Math.min(asked, PAGE_LIMIT);
    const page = {
      lastId: p.has('LAST_ID') ? p.int('LAST_ID') : null,
      lastType: p.has('LAST_TYPE') ? p.int('LAST_TYPE') : null,
      limit,
      convertText: p.flag('CONVERT_TEXT'),
    };
    // Inside batch later commands may refer to this result's fields: objects there, JSON text otherwise.
    if (ctx.inBatch) return getPage(ctx.deps.store, ctx.caller.userId, page);
    return getPageJson(ctx.deps.store, ctx.caller.userId, page, ctx.deps.rendered);
  },
});

const yes = () => true;

export const imNotifyRead = defineMethod({
  name: 'im.notify.read',
  scope: 'im',
  sharesBatchCommit: true,
  // WHY not async: a read of one id that changes nothing (most of them) is answered at once.
  handler: (ctx) => {
    const p = ctx.params;
    if (!p.has('ID')) return true;
    const read = !p.has('ACTION') || p.str('ACTION') === 'Y';
    const id = p.int('ID');
    if (id < 0) return true;
    if (id > 0 && p.str('ONLY_CURRENT') === 'Y') return settle(markRead(ctx.deps, ctx.caller.userId, [id], read), yes);
    return markReadFrom(ctx.deps, ctx.caller.userId, id, read).then(yes);
  },
});

export const imNotifyReadList = defineMethod({
  name: 'im.notify.read.list',
  scope: 'im',
  sharesBatchCommit: true,
  handler: async (ctx) => {
    const list = asList(ctx.params.get('IDS'));
    if (!list) throw errors.paramsError('No IDS param or it is not an array');
    const ids: number[] = [];
    for (const v of list) {
      const id = intval(v);
      if (id <= 0) break;
      ids.push(id);
    }
    await markRead(ctx.deps, ctx.caller.userId, ids, ctx.params.str('ACTION') === 'Y' || !ctx.params.has('ACTION'));
    return true;
  },
});

export const imNotifyReadAll = defineMethod({
  name: 'im.notify.read.all',
  scope: 'im',
  sharesBatchCommit: true,
  handler: async (ctx) => ({ result: true, newCounter: await readAll(ctx.deps, ctx.caller.userId) }),
});

/**
 * The ids an `ID` parameter names, read as the portal does: a one-element list is its element
 * (a map without key 0 gives 0), a longer list each element, anything else the value.
 */
function idsToDelete(raw: unknown): number[] {
  const list = Array.isArray(raw) || isMap(raw) ? (raw as Record<string, unknown>) : null;
  if (!list) return [intval(raw)];
  const values = Object.values(list);
  if (values.length === 1) return [intval(list[0])];
  return values.map(intval);
}

/**
 * The portal's order (docs/notify.md, "Delete"): any `ID` takes the id path (own notifications
 * only, `false` when none went); a session may do nothing else; then the application must be
 * known (OAuth client id, else `CLIENT_ID`) before TAG or SUB_TAG is even looked at.
 */
export const imNotifyDelete = defineMethod({
  name: 'im.notify.delete',
  scope: 'im',
  sharesBatchCommit: true,
  handler: async (ctx) => {
    const p = ctx.params;
    if (p.has('ID')) return deleteOwn(ctx.deps, ctx.caller.userId, idsToDelete(p.get('ID')).filter((id) => id > 0));
    if (ctx.caller.kind === 'session') throw errors.paramsError();
    const owner = deleteTagOwner(ctx.caller, p.empty('CLIENT_ID') ? '' : p.str('CLIENT_ID'));
    if (!owner) throw errors.accessDenied('Client ID not specified');
    if (!p.empty('TAG')) {
      await deleteByAppTag(ctx.deps, 'tag', owner, p.str('TAG'));
      return true;
    }
    if (!p.empty('SUB_TAG')) return deleteByAppTag(ctx.deps, 'sub_tag', owner, strval(p.get('SUB_TAG')));
    throw errors.paramsError();
  },
});

export const imNotifyHistorySearch = defineMethod({
  name: 'im.notify.history.search',
  scope: 'im',
  listed: false,
  handler: (ctx) => historySearch(ctx.deps.store, ctx.caller.userId, ctx.params),
});

/** ID wins over NOTIFY_ID, as on the portal. */
function notifyId(ctx: MethodContext): number {
  const id = ctx.params.has('ID') ? ctx.params.int('ID') : ctx.params.int('NOTIFY_ID');
  if (id <= 0) throw errors.idError();
  return id;
}

export const imNotifyConfirm = defineMethod({
  name: 'im.notify.confirm',
  scope: 'im',
  handler: async (ctx) => {
    const id = notifyId(ctx);
    if (ctx.params.empty('NOTIFY_VALUE')) throw errors.notifyValueError();
    return { result_message: await confirmNotification(ctx.deps, ctx.caller.userId, id, ctx.params.str('NOTIFY_VALUE')) };
  },
});

export const imNotifyAnswer = defineMethod({
  name: 'im.notify.answer',
  scope: 'im',
  handler: async (ctx) => {
    const id = notifyId(ctx);
    if (ctx.params.empty('ANSWER_TEXT')) throw errors.answerTextError();
    return { result_message: await answerNotification(ctx.deps, ctx.caller.userId, id, ctx.params.str('ANSWER_TEXT')) };
  },
});

export const imNotifySchemaGet = defineMethod({
  name: 'im.notify.schema.get',
  scope: 'im',
  listed: false,
  handler: () => structuredClone(NOTIFY_SCHEMA),
});

export const imNotifyMethods: MethodDef[] = [
  imNotifySchemaGet,
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
