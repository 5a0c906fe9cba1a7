import { groupBy } from '../lib/group-by.ts';
import type { Caller } from '../rest/caller.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { PushHub } from '../realtime/hub.ts';
import type { Store } from '../store/port/store.ts';
import type { ListedNotification, NewNotification, PageStage, ReplacedNotification } from '../store/port/notifications.ts';
import { phpTrim } from '../rest/php.ts';
import { publishChange, type HeldPushes } from './push-change.ts';
import { settle } from '../lib/maybe.ts';
import { appTag, type TagOwner } from './tags.ts';
import { imUserView, notificationView } from './view.ts';
import { errors } from '../errors/rest.ts';
import type { Config } from '../config.ts';
import { MAIL_SKIP, REST_EVENT, REST_MODULE, REST_TYPE } from './schema.ts';

/** What the notification rules use: the store, the time, the hub that tells open pages, the e-mail delay. */
export interface NotifyDeps {
  store: Store;
  clock: Clock;
  hub: PushHub;
  /** Where a push dropped after a commit is reported. */
  log?: Pick<Logger, 'warn'>;
  config: Pick<Config, 'mailDelayS'>;
  /** Tells the web push job that pushes were queued (src/webpush/). */
  wakeWebPush?: () => void;
  /** Set inside a transaction that commits later (a batch's): pushes wait for that commit. */
  heldPushes?: HeldPushes;
}

export const MAX_TEXT = 20_000;
/** The portal only cuts text longer than this (it leaves room for its own suffix). */
const CUT_ABOVE = 20_006;
export const PAGE_LIMIT = 50;

/**
 * Trims, turns the portal's line-break markers into newlines (exactly these spellings), and cuts
 * over-long text like the portal, counting characters (an emoji is one), not UTF-16 units.
 */
export function normalizeText(text: string): string {
  const t = phpTrim(text.replace(/\[BR\]|\[br\]|#BR#/g, '\n'));
  if (t.length <= CUT_ABOVE) return t;
  const chars = [...t];
  return chars.length > CUT_ABOVE ? `${chars.slice(0, MAX_TEXT).join('')} (...)` : t;
}

export interface SendInput {
  userId: number;
  authorId: number;
  type: 1 | 2 | 4;
  text: string;
  messageOut: string;
  tagOwner: TagOwner | null;
  tag: string;
  subTag: string;
  title: string;
  buttons: string;
  params: Record<string, unknown> | null;
  senderClientId: string;
}

/**
 * Queued e-mails of notifications just read or deleted are cancelled (the e-mail job checks
 * again anyway). An unread settles nothing: it cancels nothing. Known ids cancel by id; a read
 * of a whole range cancels whatever of the user's queue it settled.
 */
function cancelMail(store: Pick<Store, 'mailOutbox'>, clock: Clock, userId: number, settled: readonly number[]): Promise<number> {
  return store.mailOutbox.cancelFor(userId, settled, clock.now());
}

function cancelUserMail(store: Pick<Store, 'mailOutbox'>, clock: Clock, userId: number): Promise<number> {
  return store.mailOutbox.cancelSettled(userId, clock.now());
}

/**
 * A notification that replaces others by tag lists in `params.USERS` who wrote them (their
 * authors, 0 for system ones, and the USERS they listed), the new author excepted, as the
 * portal does for "X and N others" displays. No one left: no USERS.
 */
function withReplacedAuthors(params: Record<string, unknown> | null, replaced: ReplacedNotification[], authorId: number): Record<string, unknown> | null {
  const users = new Set<number>();
  for (const r of replaced) {
    users.add(r.authorId);
    const listed = r.params ? (JSON.parse(r.params) as { USERS?: unknown }).USERS : undefined;
    if (Array.isArray(listed)) for (const u of listed) users.add(Number(u));
  }
  users.delete(authorId);
  return users.size ? { ...params, USERS: [...users] } : params;
}

/** The portal's tag columns hold 255 characters, its `MP|xxxxx|` prefix included. */
export const TAG_COLUMN = 255;

const tooLong = (value: string) => value.length > TAG_COLUMN && [...value].length > TAG_COLUMN;

/**
 * Creates a notification; same-tag older ones of that recipient go in the same transaction.
 * `false`, and nothing stored or replaced, when the recipient is missing or inactive or a
 * stored tag would not fit its column (the portal's insert fails and it answers `false`).
 */
export async function sendNotification(deps: NotifyDeps, input: SendInput): Promise<number | false> {
  const recipient = await deps.store.users.byId(input.userId);
  if (!recipient || !recipient.active) return false;
  const tag = input.tagOwner && input.tag ? appTag(input.tagOwner.name, input.tag) : '';
  const subTag = input.tagOwner && input.subTag ? appTag(input.tagOwner.name, input.subTag) : '';
  const tagOwner = tag || subTag ? input.tagOwner!.key : '';
  if (tooLong(tag) || tooLong(subTag)) return false;
  const sent = !tag && deps.store.notifications.insertSent
    ? await sendAtOnce(deps, input, subTag, tagOwner)
    : await deps.store.tx(async (s) => {
        const chatId = await s.notifications.claimChat(input.userId);
        const replaced = tag ? await s.notifications.deleteByTag(input.userId, tag, tagOwner) : [];
        const params = withReplacedAuthors(input.params, replaced, input.authorId);
        const row = newNotification(input, tag, subTag, tagOwner, params, deps.clock.now());
        const stored = await s.notifications.insertRow(row);
        const id = stored.id;
        // Every notification may be mailed once it has waited unread; the e-mail job decides then
        // (settings, do-not-disturb, read or not). `#SKIP#` asks for no e-mail at all.
        if (input.messageOut !== MAIL_SKIP) {
          await s.mailOutbox.enqueue({ userId: input.userId, notificationId: id, typeKey: REST_TYPE, dueAt: mailDue(deps, row.createdAt) }, row.createdAt);
        }
        if (replaced.length) await s.mailOutbox.cancelFor(input.userId, replaced.map((r) => r.id), row.createdAt);
        // Queued with the notification, so a crash right after the commit loses no push.
        const pushes = await s.webPush.enqueue(id, input.userId, row.createdAt);
        return { stored, replaced, chatId, pushes };
      });
  const { stored, replaced, chatId, pushes } = sent;
  if (pushes) deps.wakeWebPush?.();
  // The pushed notification is the row just committed, as the transaction wrote it: no read-back.
  publishChange(deps, input.userId, () => [
    ...(replaced.length ? [{ command: 'notifyDelete', params: { ids: replaced.map((r) => r.id) } }] : []),
    { command: 'notifyAdd', params: notificationView(stored, chatId) },
  ]);
  return stored.id;
}

function newNotification(input: SendInput, tag: string, subTag: string, tagOwner: string, params: Record<string, unknown> | null, createdAt: number): NewNotification {
  return {
    userId: input.userId,
    authorId: input.authorId,
    type: input.type,
    module: REST_MODULE,
    event: REST_EVENT,
    tag,
    subTag,
    title: input.title,
    text: input.text,
    messageOut: input.messageOut,
    buttons: input.buttons,
    params: params ? JSON.stringify(params) : '',
    senderClientId: input.senderClientId,
    tagOwner,
    createdAt,
  };
}

const mailDue = (deps: NotifyDeps, createdAt: number) => createdAt + deps.config.mailDelayS * 1000;

/**
 * A send that replaces nothing, where the store writes it in one statement (PostgreSQL): the
 * same writes as the transaction of `sendNotification`, in one round trip.
 */
async function sendAtOnce(deps: NotifyDeps, input: SendInput, subTag: string, tagOwner: string) {
  const row = newNotification(input, '', subTag, tagOwner, input.params, deps.clock.now());
  const mail = input.messageOut === MAIL_SKIP ? null : { typeKey: REST_TYPE, dueAt: mailDue(deps, row.createdAt) };
  const sent = await deps.store.notifications.insertSent!(row, mail);
  return { stored: sent.row, replaced: [] as ReplacedNotification[], chatId: sent.chatId, pushes: sent.pushes };
}

/** The users array: every author on the page, once. */
export async function authorsOf(store: Store, rows: readonly Pick<ListedNotification, 'authorId'>[]): Promise<Record<string, unknown>[]> {
  const ids = [...new Set(rows.map((r) => r.authorId).filter((id) => id > 0))];
  if (!ids.length) return [];
  const byId = new Map((await store.users.byIds(ids)).map((u) => [u.id, u]));
  return ids.flatMap((id) => (byId.has(id) ? [imUserView(byId.get(id)!)] : []));
}

export interface PageRequest {
  lastId: number | null;
  lastType: number | null;
  /** null: no limit (the portal's LIMIT <= 0 quirk). */
  limit: number | null;
  convertText?: boolean;
}

/**
 * Confirm stage first, then the rest. The cursor (LAST_ID, LAST_TYPE) resumes inside a stage;
 * switching from confirms to the simple stage starts that stage at its newest item.
 */
export function pageStages(req: PageRequest): PageStage[] {
  const firstPage = !req.lastId && !req.lastType;
  const stages: PageStage[] = [];
  const confirmStage = firstPage || req.lastType === 1;
  if (confirmStage) stages.push({ confirm: true, beforeId: firstPage ? null : req.lastId });
  // Without a limit the confirm stage fills the page (the portal's LIMIT <= 0 quirk).
  if (req.lastType === 3 || (confirmStage && req.limit !== null && req.limit > 0)) {
    stages.push({ confirm: false, beforeId: req.lastType === 3 ? req.lastId : null });
  }
  return stages;
}

export async function listPage(store: Store, userId: number, req: PageRequest): Promise<ListedNotification[]> {
  const stages = pageStages(req);
  return stages.length ? store.notifications.listStages(userId, stages, req.limit) : [];
}

export async function getPage(store: Store, userId: number, req: PageRequest): Promise<Record<string, unknown>> {
  const head = await store.notifications.pageHead(userId);
  if (head === null || head.total === 0) return { notifications: [], users: [] };
  const rows = await listPage(store, userId, req);
  const notifications = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) notifications[i] = notificationView(rows[i]!, head.chatId, req.convertText);
  return {
    total_count: head.total,
    total_unread_count: head.unread,
    chat_id: head.chatId,
    notifications,
    users: await authorsOf(store, rows),
  };
}

/**
 * Marks exactly `ids` read, or `ids` and their same-tag siblings unread: the portal brings a
 * whole tag group back when one of its notifications is marked unread.
 */
export function markRead(deps: NotifyDeps, userId: number, ids: number[], read: boolean): void | Promise<void> {
  const repo = deps.store.notifications;
  if (!read) return repo.sameTagIds(userId, ids).then((siblings) => markIfAny(deps, userId, [...new Set([...ids, ...siblings])], false));
  // PostgreSQL marks read and cancels the e-mails in one statement (null: too many ids for one).
  if (repo.readAtOnce) return repo.readAtOnce(userId, ids, deps.clock.now()).then((atOnce) => (atOnce === null ? markIfAny(deps, userId, ids, true) : announceRead(deps, userId, ids, true)));
  return markIfAny(deps, userId, ids, true);
}

/**
 * Marks `target` when any of it is in the other state. Most calls name notifications already in
 * that state (a page marks what it shows): one read then, no transaction — and, when the store
 * read it at once, the answer at once (no promise).
 */
function markIfAny(deps: NotifyDeps, userId: number, target: number[], read: boolean): void | Promise<void> {
  return settle(deps.store.notifications.anyToMark(userId, target, read), (any) => {
    if (!any) return announceRead(deps, userId, target, read);
    return deps.store
      .tx(async (s) => {
        const marked = await s.notifications.setRead(userId, target, read);
        if (read && marked) await cancelMail(s, deps.clock, userId, target);
      })
      .then(() => announceRead(deps, userId, target, read));
  });
}

function announceRead(deps: NotifyDeps, userId: number, target: number[], read: boolean): void {
  publishChange(deps, userId, () => [{ command: read ? 'notifyRead' : 'notifyUnread', params: { ids: target } }]);
}

/**
 * im.notify.read without ONLY_CURRENT: `fromId` and every newer notification. Reading from 0
 * reads everything but confirms (the portal's read-all quirk); unreading needs `fromId` to be
 * one of the user's own notifications, and brings its same-tag siblings back too.
 */
export async function markReadFrom(deps: NotifyDeps, userId: number, fromId: number, read: boolean): Promise<void> {
  const repo = deps.store.notifications;
  let siblings: number[] = [];
  if (read) {
    await deps.store.tx((s) => readFrom(s, deps.clock, userId, fromId, fromId === 0));
  } else {
    const own = fromId > 0 ? await repo.byId(fromId) : null;
    if (!own || own.userId !== userId) return;
    await repo.setReadFrom(userId, fromId, false, false);
    siblings = await repo.sameTagIds(userId, [fromId]);
    if (siblings.length) await repo.setRead(userId, siblings, false);
  }
  publishChange(deps, userId, () => [
    ...(siblings.length ? [{ command: 'notifyUnread', params: { ids: siblings } }] : []),
    { command: read ? 'notifyRead' : 'notifyUnread', params: { fromId } },
  ]);
}

/** Inside `s`'s transaction: reads `fromId` and newer, and cancels the e-mails that settles. */
async function readFrom(s: Store, clock: Clock, userId: number, fromId: number, skipConfirms: boolean): Promise<void> {
  if (await s.notifications.setReadFrom(userId, fromId, true, skipConfirms)) await cancelUserMail(s, clock, userId);
}

export async function readAll(deps: NotifyDeps, userId: number): Promise<number> {
  const counter = await deps.store.tx(async (s) => {
    await readFrom(s, deps.clock, userId, 0, true);
    return s.notifications.countUnreadConfirms(userId);
  });
  publishChange(deps, userId, () => [{ command: 'notifyReadAll', params: {} }]);
  return counter;
}

export async function deleteOwn(deps: NotifyDeps, userId: number, ids: number[]): Promise<boolean> {
  // The rows and their queued e-mails go in one transaction: one commit (on SQLite, shared with
  // the group's) instead of a second one of its own for the e-mails.
  const gone = await deps.store.tx(async (s) => {
    const deleted = await s.notifications.deleteIds(userId, ids);
    if (deleted.length) await cancelMail(s, deps.clock, userId, deleted);
    return deleted;
  });
  if (!gone.length) return false;
  publishChange(deps, userId, () => [{ command: 'notifyDelete', params: { ids: gone } }]);
  return true;
}

export async function deleteByAppTag(deps: NotifyDeps, column: 'tag' | 'sub_tag', owner: TagOwner, value: string): Promise<boolean> {
  const gone = await deps.store.notifications.deleteAllByTag(column, appTag(owner.name, value), owner.key);
  for (const [userId, ids] of groupBy(gone, (g) => g.userId, (g) => g.id)) {
    await cancelMail(deps.store, deps.clock, userId, ids);
    publishChange(deps, userId, () => [{ command: 'notifyDelete', params: { ids } }]);
  }
  return gone.length > 0;
}

export function refuseSession(caller: Caller): void {
  if (caller.kind === 'session') {
    throw errors.sessionNotAllowed();
  }
}
