import { asList, decodedJson, isEmpty, isMap, strval } from '../rest/php.ts';
import type { NotificationRow } from '../store/port/notifications.ts';

export interface Button {
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
export function storedButtons(row: Pick<NotificationRow, 'buttons'>): Button[] {
  try {
    return row.buttons ? (JSON.parse(row.buttons) as Button[]) : [];
  } catch {
    return [];
  }
}
