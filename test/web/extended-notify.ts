/**
 * Notifications the portal makes only from its own modules — confirm notifications with buttons
 * and ones that take a quick answer — sent here through notify24's documented extensions to the
 * sending methods (`BUTTONS`, `ANSWER=Y`, docs/notify.md) over the admin's webhook.
 */
import { ok } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';

export async function addConfirmNotification(ts: TestServer, userId: number, text: string): Promise<number> {
  const buttons = [
    { TITLE: 'Yes', VALUE: 'Y', TYPE: 'accept' },
    { TITLE: 'No', VALUE: 'N', TYPE: 'cancel' },
  ];
  return ok(ts.hook, 'im.notify.personal.add', { USER_ID: userId, MESSAGE: text, BUTTONS: buttons });
}

export async function addAnswerableNotification(ts: TestServer, userId: number, text: string): Promise<number> {
  return ok(ts.hook, 'im.notify.personal.add', { USER_ID: userId, MESSAGE: text, ANSWER: 'Y' });
}
