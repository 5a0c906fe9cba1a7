/**
 * Notifications REST cannot create (the portal's modules make them): confirm notifications with
 * buttons and ones that accept a quick answer. Made through the notify domain directly.
 */
import type { TestServer } from '../helpers/server.ts';

export async function addConfirmNotification(_ts: TestServer, _userId: number, _text: string): Promise<number> {
  throw new Error('notify domain not available yet');
}

export async function addAnswerableNotification(_ts: TestServer, _userId: number, _text: string): Promise<number> {
  throw new Error('notify domain not available yet');
}
