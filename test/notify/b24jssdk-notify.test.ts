import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sdkHook } from '../helpers/sdk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { notifyScenario, sdkCall } from './sdk-scenario.ts';

let ts: TestServer;
before(async () => {
  // Webhooks set tags only with the opt-in (the portal drops them): the scenario deletes by tag.
  ts = await startTestServer({ webhookTagsWithClientId: true });
});
after(() => ts.close());

test('b24jssdk with webhooks: send, page, read, unread, read all, confirm, answer, search, delete by ID, TAG and SUB_TAG', async () => {
  const recipient = await ts.addUser({ login: 'sdk-recipient', name: 'Rita' });
  await notifyScenario({
    sender: sdkHook(ts.httpsHook),
    recipient: sdkHook(recipient.httpsHook),
    recipientId: recipient.id,
    tagParams: { CLIENT_ID: 'sdk-integration' },
    tagDeleter: sdkHook(ts.httpsHook),
  });
});

test('b24jssdk with a webhook on the default server: TAG is dropped as the portal drops it', async () => {
  const plain = await startTestServer();
  try {
    const recipient = await plain.addUser({ login: 'sdk-plain' });
    const id = await sdkCall<number>(sdkHook(plain.httpsHook), 'im.notify.system.add', { USER_ID: recipient.id, MESSAGE: 'x', TAG: 't', CLIENT_ID: 'c' });
    const page = await sdkCall<{ notifications: { id: number; notify_tag: string }[] }>(sdkHook(recipient.httpsHook), 'im.notify.get');
    assert.deepEqual(page.notifications.map((n) => [n.id, n.notify_tag]), [[id, '']]);
  } finally {
    await plain.close();
  }
});
