/**
 * The notification life cycle as an integration drives it through the official SDK: the same
 * scenario runs with webhook clients and with OAuth clients (b24jssdk-notify.test.ts).
 */
import assert from 'node:assert/strict';
import type { B24Hook } from '@bitrix24/b24jssdk';

export type Sdk = Pick<B24Hook, 'actions'>;

/** Calls `method` through the SDK and returns `result`, failing the test on an error answer. */
export async function sdkCall<T = any>(b24: Sdk, method: string, params: Record<string, unknown> = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await b24.actions.v2.call.make<T>({ method, params });
  assert.equal(res.isSuccess, true, `${method}: ${res.getErrorMessages().join('; ')}`);
  return res.getData()!.result;
}

export interface ScenarioClients {
  /** Sends the notifications (a webhook of an integration, or an application's token). */
  sender: Sdk;
  /** The recipient's own client: reads, answers, confirms, searches and deletes. */
  recipient: Sdk;
  recipientId: number;
  /** What the sender adds to make TAG/SUB_TAG count (CLIENT_ID for webhooks, nothing for OAuth). */
  tagParams: Record<string, unknown>;
  /** Deletes by TAG/SUB_TAG belong to the application: the client that may do them. */
  tagDeleter: Sdk;
  /** What an OAuth sender's SYSTEM notifications start with (its application's name and a line break). */
  systemPrefix?: string;
}

interface Listed {
  id: number;
  text: string;
  notify_read: string;
  notify_type: number;
  notify_tag: string;
}

/** Every notification of the recipient, page by page through the LAST_ID/LAST_TYPE cursor. */
export async function listAll(b24: Sdk, limit: number): Promise<{ items: Listed[]; pages: number }> {
  const items: Listed[] = [];
  let cursor: Record<string, unknown> = {};
  let pages = 0;
  for (;;) {
    const page = await sdkCall<{ notifications: Listed[] }>(b24, 'im.notify.get', { ...cursor, LIMIT: limit });
    if (!page.notifications.length) return { items, pages };
    pages++;
    items.push(...page.notifications);
    const last = page.notifications.at(-1)!;
    cursor = { LAST_ID: last.id, LAST_TYPE: last.notify_type === 1 ? 1 : 3 };
  }
}

export async function notifyScenario(c: ScenarioClients): Promise<{ confirmId: number; answerId: number }> {
  const { sender, recipient, recipientId } = c;
  // Send: both methods, a dozen notifications.
  const sent: number[] = [];
  for (let i = 0; i < 12; i++) {
    const method = i % 2 ? 'im.notify.personal.add' : 'im.notify.system.add';
    sent.push(await sdkCall<number>(sender, method, { USER_ID: recipientId, MESSAGE: `sdk message ${i}` }));
  }
  for (const id of sent) assert.equal(typeof id, 'number');

  // List across several pages: nothing skipped or repeated, newest first.
  const { items, pages } = await listAll(recipient, 5);
  assert.ok(pages >= 3, `${pages} pages`);
  assert.deepEqual(items.map((n) => n.id), [...sent].sort((a, b) => b - a));
  assert.ok(items.every((n) => n.notify_read === 'N'));

  // Read one, unread it, read all.
  const counter = async () => (await sdkCall<{ TYPE: { NOTIFY: number } }>(recipient, 'im.counters.get')).TYPE.NOTIFY;
  assert.equal(await counter(), 12);
  await sdkCall(recipient, 'im.notify.read', { ID: sent[3], ONLY_CURRENT: 'Y' });
  assert.equal(await counter(), 11);
  await sdkCall(recipient, 'im.notify.read.list', { IDS: [sent[4], sent[5]] });
  assert.equal(await counter(), 9);
  await sdkCall(recipient, 'im.notify.read', { ID: sent[3], ACTION: 'N', ONLY_CURRENT: 'Y' });
  assert.equal(await counter(), 10);
  assert.deepEqual(await sdkCall(recipient, 'im.notify.read.all'), { result: true, newCounter: 0 });
  assert.equal(await counter(), 0);

  // Confirm and answer (extension parameters of the sending methods, docs/notify.md).
  const confirmId = await sdkCall<number>(sender, 'im.notify.system.add', {
    USER_ID: recipientId, MESSAGE: 'Approve the invoice?', BUTTONS: [{ TITLE: 'Approve', VALUE: 'yes', TYPE: 'accept' }, { TITLE: 'Reject', VALUE: 'no', TYPE: 'cancel' }],
  });
  const answerId = await sdkCall<number>(sender, 'im.notify.personal.add', { USER_ID: recipientId, MESSAGE: 'Any comment?', ANSWER: 'Y' });
  const first = await sdkCall<{ notifications: Listed[] }>(recipient, 'im.notify.get');
  assert.equal(first.notifications[0]!.id, confirmId, 'confirm notifications come first');
  assert.deepEqual(await sdkCall(recipient, 'im.notify.confirm', { NOTIFY_ID: confirmId, NOTIFY_VALUE: 'yes' }), { result_message: ['Your selection: "Approve"'] });
  assert.deepEqual(await sdkCall(recipient, 'im.notify.answer', { NOTIFY_ID: answerId, ANSWER_TEXT: 'Looks good' }), { result_message: ['Your reply has been sent.'] });
  const after = (await listAll(recipient, 50)).items.map((n) => n.id);
  assert.ok(!after.includes(confirmId), 'a confirmed notification is gone');
  assert.ok(after.includes(answerId), 'an answered notification stays');

  // Search.
  const found = await sdkCall<{ notifications: Listed[]; total_results: number }>(recipient, 'im.notify.history.search', { SEARCH_TEXT: 'message 1' });
  const plain = (text: string) => (c.systemPrefix && text.startsWith(c.systemPrefix) ? text.slice(c.systemPrefix.length) : text);
  assert.deepEqual(found.notifications.map((n) => plain(n.text)).sort(), ['sdk message 1', 'sdk message 10', 'sdk message 11']);
  assert.equal(found.total_results, 3);

  // Delete by ID, by TAG, by SUB_TAG.
  assert.equal(await sdkCall(recipient, 'im.notify.delete', { ID: sent[0] }), true);
  assert.equal(await sdkCall(recipient, 'im.notify.delete', { ID: sent[0] }), false, 'already gone');
  const tagged = await sdkCall<number>(sender, 'im.notify.system.add', { USER_ID: recipientId, MESSAGE: 'tagged v1', TAG: 'order-7', ...c.tagParams });
  const retagged = await sdkCall<number>(sender, 'im.notify.system.add', { USER_ID: recipientId, MESSAGE: 'tagged v2', TAG: 'order-7', SUB_TAG: 'orders', ...c.tagParams });
  const subOnly = await sdkCall<number>(sender, 'im.notify.system.add', { USER_ID: recipientId, MESSAGE: 'sub', SUB_TAG: 'orders', ...c.tagParams });
  let ids = (await listAll(recipient, 50)).items.map((n) => n.id);
  assert.ok(!ids.includes(tagged) && ids.includes(retagged), 'the same TAG replaced the older notification');
  assert.equal(await sdkCall(c.tagDeleter, 'im.notify.delete', { TAG: 'order-7', ...c.tagParams }), true);
  ids = (await listAll(recipient, 50)).items.map((n) => n.id);
  assert.ok(!ids.includes(retagged) && ids.includes(subOnly));
  assert.equal(await sdkCall(c.tagDeleter, 'im.notify.delete', { SUB_TAG: 'orders', ...c.tagParams }), true);
  assert.equal(await sdkCall(c.tagDeleter, 'im.notify.delete', { SUB_TAG: 'orders', ...c.tagParams }), false, 'nothing left with that sub-tag');
  ids = (await listAll(recipient, 50)).items.map((n) => n.id);
  assert.ok(!ids.includes(subOnly));
  return { confirmId, answerId };
}
