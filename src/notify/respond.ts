import type { Services } from '../services.ts';
import type { NotificationRow } from '../store/notify-types.ts';
import { asList, decodedJson, isEmpty, isMap, looseEquals, phpTrim, strval } from '../rest/php.ts';

interface Button {
  TITLE: string;
  VALUE: string;
  TYPE: string;
}

/** The portal's buttons when a confirm notification is given none that are valid. */
const DEFAULT_BUTTONS: Button[] = [
  { TITLE: 'Accept', VALUE: 'Y', TYPE: 'accept' },
  { TITLE: 'Cancel', VALUE: 'N', TYPE: 'cancel' },
];

/**
 * The BUTTONS send extension: a list of {TITLE, VALUE, TYPE}. As for the portal's confirm
 * notifications, a button missing any of the three is dropped, and when none is left the
 * default Accept/Cancel pair is used. Absent or empty BUTTONS: no buttons, not a confirm.
 */
export function parseButtons(raw: unknown): Button[] {
  if (isEmpty(raw)) return [];
  const list = (asList(decodedJson(raw)) ?? []).filter(isMap).map((b) => ({ TITLE: strval(b.TITLE).trim(), VALUE: strval(b.VALUE).trim(), TYPE: strval(b.TYPE).trim() }));
  const valid = list.filter((b) => b.TITLE && b.VALUE && b.TYPE);
  return valid.length ? valid : DEFAULT_BUTTONS;
}

/** The stored keyboard, in the portal's `notify_buttons` shape (id filled after insert). */
export function keyboardJson(id: number, buttons: Button[]): string {
  return JSON.stringify(
    buttons.map((b) => ({
      BOT_ID: 111, TYPE: 'BUTTON', COMMAND: 'notifyConfirm', COMMAND_PARAMS: `${id}|${b.VALUE}`, TEXT: b.TITLE,
      VOTE: 'N', BLOCK: 'N', WAIT: 'N', CONTEXT: 'ALL', DISABLED: 'N', DISPLAY: 'LINE',
      BG_COLOR: b.TYPE === 'accept' ? '#8BC84B' : '#ef4b57', BG_COLOR_TOKEN: 'base', TEXT_COLOR: '#fff',
    })),
  );
}

/** Buttons are stored as the sent list; the keyboard is built when printed (it needs the id). */
export function storedButtons(row: NotificationRow): Button[] {
  try {
    return row.buttons ? (JSON.parse(row.buttons) as Button[]) : [];
  } catch {
    return [];
  }
}

/** Confirm: only the caller's type-1 notifications; always deletes it; tells the sending app. */
export async function confirmNotification(services: Services, userId: number, id: number, value: string): Promise<string[] | false> {
  const row = await services.store.notifications.byId(id);
  if (!row || row.userId !== userId || row.type !== 1) return false;
  const pressed = storedButtons(row).find((b) => looseEquals(b.VALUE, value));
  await services.store.notifications.deleteIds(userId, [id]);
  await services.hub.publish(userId, { command: 'notifyDelete', params: { ids: [id] } });
  await services.hub.publish(userId, { command: 'counters', params: { NOTIFY: await services.store.notifications.count(userId, true) } });
  if (row.senderClientId) {
    await services.appEvents.emit({ name: 'ONIMNOTIFYCONFIRM', clientId: row.senderClientId, userId, data: { NOTIFY_ID: id, NOTIFY_VALUE: value, NOTIFY_TAG: row.tag } });
  }
  return pressed ? [`Your selection: "${pressed.TITLE}"`] : [];
}

/** Answer: the caller's own notification of any type; kept as it is; tells the sending app. */
export async function answerNotification(services: Services, userId: number, id: number, text: string): Promise<string[] | false> {
  const answer = phpTrim(text);
  if (answer === '') return false;
  const row = await services.store.notifications.byId(id);
  if (!row || row.userId !== userId) return false;
  if (row.senderClientId) {
    await services.appEvents.emit({ name: 'ONIMNOTIFYANSWER', clientId: row.senderClientId, userId, data: { NOTIFY_ID: id, ANSWER_TEXT: answer, NOTIFY_TAG: row.tag } });
  }
  return ['Your reply has been sent.'];
}
