import type { AppEventSink } from '../apps/app-events.ts';
import { storedButtons } from './buttons.ts';
import { looseEquals, phpTrim } from '../rest/php.ts';
import { publishChange } from './push-change.ts';
import type { NotifyDeps } from './service.ts';

/** Confirming and answering also tell the sending application. */
export type RespondDeps = Pick<NotifyDeps, 'store' | 'hub' | 'log'> & { appEvents: AppEventSink };

/** Confirm: only the caller's type-1 notifications; always deletes it; tells the sending app. */
export async function confirmNotification(deps: RespondDeps, userId: number, id: number, value: string): Promise<string[] | false> {
  const row = await deps.store.notifications.byId(id);
  if (!row || row.userId !== userId || row.type !== 1) return false;
  const pressed = storedButtons(row).find((b) => looseEquals(b.VALUE, value));
  // The delete and the application's event commit together: a confirm that failed (the database
  // away) can be pressed again, and one that succeeded always reaches the application.
  const queued = await deps.store.tx(async (s) => {
    await s.notifications.deleteIds(userId, [id]);
    if (!row.senderClientId) return false;
    return deps.appEvents.queueIn(s, { name: 'ONIMNOTIFYCONFIRM', clientId: row.senderClientId, userId, data: { NOTIFY_ID: id, NOTIFY_VALUE: value, NOTIFY_TAG: row.tag } });
  });
  if (queued) deps.appEvents.wake();
  publishChange(deps, userId, () => [{ command: 'notifyDelete', params: { ids: [id] } }]);
  return pressed ? [`Your selection: "${pressed.TITLE}"`] : [];
}

/** Answer: the caller's own notification of any type; kept as it is; tells the sending app. */
export async function answerNotification(deps: RespondDeps, userId: number, id: number, text: string): Promise<string[] | false> {
  const answer = phpTrim(text);
  if (answer === '') return false;
  const row = await deps.store.notifications.byId(id);
  if (!row || row.userId !== userId) return false;
  if (row.senderClientId) {
    await deps.appEvents.emit({ name: 'ONIMNOTIFYANSWER', clientId: row.senderClientId, userId, data: { NOTIFY_ID: id, ANSWER_TEXT: answer, NOTIFY_TAG: row.tag } });
  }
  return ['Your reply has been sent.'];
}
