import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { call, ok } from '../helpers/http.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

async function fails(base: string, method: string, params: Record<string, unknown>, expected: [number, string, string], enc: 'json' | 'form' = 'json') {
  const r = await call(base, method, params, enc);
  assert.deepEqual([r.status, r.body.error, r.body.error_description], expected, JSON.stringify(params).slice(0, 200));
}

const stored = (id: number) => ts.server.services.store.notifications.byId(id);

test('recipient and message are read as the portal reads them: TO alias, strings only, TYPE case-sensitive', async () => {
  const u = await ts.addUser({ login: 'details-to' });
  const other = await ts.addUser({ login: 'details-other' });
  // TO wins over USER_ID.
  const id = await ok(ts.hook, 'im.notify', { to: u.id, user_id: other.id, message: 'via TO' });
  assert.equal((await stored(id))!.userId, u.id);
  // A JSON number is not a string: the message counts as empty (form values are always strings).
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 123 }, [400, 'MESSAGE_EMPTY', "Message can't be empty"]);
  assert.equal(typeof (await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 123 }, 'form')), 'number');
  assert.equal(typeof (await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: '0' })), 'number', '"0" is a message');
  // im.notify: exactly SYSTEM is system; "system" is a personal notification from the caller.
  const sys = await stored(await ok(ts.hook, 'im.notify', { USER_ID: u.id, MESSAGE: 'x', TYPE: 'SYSTEM' }));
  const lower = await stored(await ok(ts.hook, 'im.notify', { USER_ID: u.id, MESSAGE: 'x', TYPE: 'system' }));
  assert.deepEqual([sys!.type, sys!.authorId, lower!.type, lower!.authorId], [4, 0, 2, 1]);
  // system.add ignores TYPE; personal.add too.
  assert.equal((await stored(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'x', TYPE: 'USER' })))!.type, 4);
  assert.equal((await stored(await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: 'x', TYPE: 'SYSTEM' })))!.type, 2);
});

test('MESSAGE_OUT is kept trimmed beside the notification, not shown in im.notify.get', async () => {
  const u = await ts.addUser({ login: 'details-out' });
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'inside', MESSAGE_OUT: '  for e-mail  ' });
  assert.equal((await stored(id))!.messageOut, 'for e-mail');
  const none = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'inside', MESSAGE_OUT: 5 });
  assert.equal((await stored(none))!.messageOut, '', 'non-string MESSAGE_OUT is empty');
  const n = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === id);
  assert.equal(n.text, 'inside');
  assert.ok(!('message_out' in n));
});

test('ATTACH: full and short form, object or JSON string, invalid blocks dropped, errors and size limit', async () => {
  const u = await ts.addUser({ login: 'details-attach' });
  const attach = {
    ID: 99,
    COLOR: '#29619b',
    COLOR_TOKEN: 'primary',
    BLOCKS: [
      { MESSAGE: 'Deal [b]won[/b]#BR#today' },
      { LINK: { NAME: 'Deal', LINK: 'https://example.com/deal/1', DESC: 'desc' } },
      { LINK: { NAME: 'no url' } }, // dropped: names nobody
      { IMAGE: [{ LINK: 'javascript:alert(1)' }, { LINK: 'https://example.com/a.png', NAME: ' pic ' }] },
      { FILE: { LINK: '/upload/x.pdf', NAME: 'x.pdf', SIZE: 1000 } },
      { DELIMITER: { SIZE: 0, COLOR: 'red' } },
      { GRID: [{ NAME: 'Sum', VALUE: '100', DISPLAY: 'column' }, { NAME: '', VALUE: '' }, { DISPLAY: 'LINE' }] },
      { USER: [{ NAME: 'Ann', USER_ID: 5 }, { NAME: '' }, { NAME: 'Chat', CHAT_ID: 3 }] },
      { HTML: '<b>not via REST</b>' }, // unknown kind: dropped
    ],
  };
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'with attach', ATTACH: attach });
  const n = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === id);
  const [a] = n.params.ATTACH;
  assert.notEqual(a.ID, 99, 'the sent ID is replaced by the time');
  assert.ok(Math.abs(a.ID - Date.now() / 1000) < 60);
  assert.deepEqual([a.COLOR, a.COLOR_TOKEN, a.DESCRIPTION], ['#29619b', 'primary', '']);
  // The portal's blocks, in its key order: GRID's DISPLAY is read case-sensitively (`column` is
  // BLOCK), NAME and VALUE are always there, an IMAGE names itself before its LINK.
  assert.equal(JSON.stringify(a.BLOCKS), JSON.stringify([
    { MESSAGE: 'Deal [b]won[/b][BR]today' },
    { LINK: [{ NAME: 'Deal', LINK: 'https://example.com/deal/1', DESC: 'desc' }] },
    { IMAGE: [{ NAME: 'pic', LINK: 'https://example.com/a.png' }] },
    { FILE: [{ LINK: '/upload/x.pdf', NAME: 'x.pdf', SIZE: 1000 }] },
    { DELIMITER: { SIZE: 200 } },
    { GRID: [{ DISPLAY: 'BLOCK', NAME: 'Sum', VALUE: '100', COLOR_TOKEN: 'base' }, { DISPLAY: 'LINE', NAME: '', VALUE: '', COLOR_TOKEN: 'base' }] },
    { USER: [{ NAME: 'Ann', AVATAR_TYPE: 'USER', USER_ID: 5 }] },
    { USER: [{ NAME: 'Chat', AVATAR_TYPE: 'CHAT', CHAT_ID: 3 }] },
  ]));

  // Each LINK of a list is a block of its own; a named user's LINK is kept as sent; text escapes
  // (`\n` written out) become characters; DESCRIPTION is one line of BB code, unless a MESSAGE
  // block takes its place; a user's NAME keeps its spaces; RICH_LINK always sizes its preview.
  const detailed = {
    DESCRIPTION: '<b>Due</b>\n\nsoon',
    BLOCKS: [
      { LINK: [{ NAME: 'One', LINK: 'https://example.com/1' }, { USER_ID: 7, NAME: 'Seven', LINK: 'not a url', DESC: ' keep\n#BR# ' }] },
      { GRID: [{ NAME: '', VALUE: '', DISPLAY: 'CARD' }, { NAME: 'Sum', VALUE: '9', DISPLAY: 'COLUMN' }] },
      { USER: { NAME: ' Ann\nLee ', USER_ID: 5, LINK: 'https://example.com/u/5', AVATAR: 'https://example.com/a.png' } },
      { RICH_LINK: { NAME: 'Rich', LINK: 'https://example.com/r', DESC: 'a\nb', PREVIEW: 'https://example.com/p.png', PREVIEW_SIZE: { WIDTH: '100' } } },
    ],
  };
  const withDescription = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'detailed', ATTACH: detailed });
  const d = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === withDescription).params.ATTACH[0];
  assert.equal(d.DESCRIPTION, '[b]Due[/b]  soon');
  assert.equal(JSON.stringify(d.BLOCKS), JSON.stringify([
    { LINK: [{ NAME: 'One', LINK: 'https://example.com/1' }] },
    { LINK: [{ USER_ID: 7, NAME: 'Seven', LINK: 'not a url', DESC: ' keep\n#BR# ' }] },
    { GRID: [{ DISPLAY: 'ROW', NAME: 'Sum', VALUE: '9', COLOR_TOKEN: 'base' }] },
    { USER: [{ NAME: ' Ann Lee ', AVATAR_TYPE: 'USER', USER_ID: 5, AVATAR: 'https://example.com/a.png' }] },
    { RICH_LINK: [{ NAME: 'Rich', LINK: 'https://example.com/r', DESC: 'a b', PREVIEW: 'https://example.com/p.png', PREVIEW_SIZE: { HEIGHT: 0, WIDTH: '100' } }] },
  ]));
  const escaped = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'escaped', ATTACH: { BLOCKS: [{ MESSAGE: { TEXT: ' first\\nline#BR#two ', AS_DESCRIPTION: 'Y' } }] } });
  const e = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === escaped).params.ATTACH[0];
  assert.deepEqual([e.BLOCKS, e.DESCRIPTION], [[{ MESSAGE: 'first\nline[BR]two' }], 'first\nline[BR]two']);

  // Short form as a JSON string; a colour is always chosen.
  const short = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'short', ATTACH: JSON.stringify([{ MESSAGE: 'hi', }]) }, 'form');
  const s = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === short);
  assert.deepEqual(s.params.ATTACH[0].BLOCKS, [{ MESSAGE: 'hi' }]);
  assert.match(s.params.ATTACH[0].COLOR, /^#[0-9a-f]{6}$/);
  assert.equal(s.params.ATTACH[0].COLOR_TOKEN, 'base');

  // Form-encoded nested keys build the same attach.
  const form = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'form', 'ATTACH[BLOCKS][0][MESSAGE]': 'from a form' }, 'form');
  const f = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === form);
  assert.deepEqual(f.params.ATTACH[0].BLOCKS, [{ MESSAGE: 'from a form' }]);

  // Falsy values are "no attach"; anything truthy with nothing valid is ATTACH_ERROR (400).
  for (const empty of ['', '0', [], null]) {
    const plain = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'plain', ATTACH: empty });
    assert.equal((await stored(plain))!.params, '', `ATTACH=${JSON.stringify(empty)}`);
  }
  const attachError: [number, string, string] = [400, 'ATTACH_ERROR', 'Incorrect attach params'];
  for (const bad of ['not json', '{"BLOCKS": []}', [{ LINK: { NAME: 'x' } }], { BLOCKS: [{ IMAGE: { LINK: 'ftp://x' } }] }, 5]) {
    await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'bad', ATTACH: bad }, attachError);
  }
  // Checked after the recipient and the message.
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: 0, MESSAGE: 'bad', ATTACH: 'x' }, [400, 'USER_ID_EMPTY', "User ID can't be empty"]);
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: ' ', ATTACH: 'x' }, [400, 'MESSAGE_EMPTY', "Message can't be empty"]);

  // Size: PHP escapes "/" as "\/", so a slash counts twice; 60,000 characters or more is refused.
  const oversize: [number, string, string] = [400, 'ATTACH_OVERSIZE', 'You have exceeded the maximum allowable size of attach'];
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'big', ATTACH: [{ MESSAGE: 'x'.repeat(60_000) }] }, oversize);
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'big', ATTACH: [{ MESSAGE: '/'.repeat(30_000) }] }, oversize);
  assert.equal(typeof (await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'fits', ATTACH: [{ MESSAGE: 'x'.repeat(59_000) }] })), 'number');
  await fails(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'big', ATTACH: [{ MESSAGE: 'x'.repeat(59_000) }, { MESSAGE: 'y'.repeat(1_000) }] }, oversize);
});

test('im.notify.schema.get: modules keyed by id with their events, without rest|rest_notify', async () => {
  const schema = await ok(ts.hook, 'im.notify.schema.get');
  assert.deepEqual(Object.keys(schema).sort(), ['im', 'main']);
  for (const [id, mod] of Object.entries<{ NAME: string; MODULE_ID: string; LIST: { ID: string; NAME: string }[] }>(schema)) {
    assert.equal(mod.MODULE_ID, id);
    assert.ok(mod.NAME);
    for (const e of mod.LIST) {
      assert.ok(e.ID.startsWith(`${id}|`));
      assert.ok(e.NAME);
    }
  }
  assert.ok(schema.im.LIST.some((e: { ID: string }) => e.ID === 'im|default'));
  assert.ok(!JSON.stringify(schema).includes('rest_notify'));
});

test('im.counters.get: the full shape, ONLY_COUNTER and JSON=Y, exact-case keys', async () => {
  const u = await ts.addUser({ login: 'details-counters' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'one' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'two' });
  const full = await ok(u.hook, 'im.counters.get');
  assert.deepEqual(full.TYPE, { ALL: 2, NOTIFY: 2, CHAT: 0, LINES: 0, DIALOG: 0, COPILOT: 0, COLLAB: 0, MESSENGER: 0, TASKS_TASK: 0 });
  for (const key of ['CHAT', 'CHAT_MUTED', 'CHAT_UNREAD', 'DIALOG', 'DIALOG_UNREAD', 'LINES', 'COLLAB', 'COPILOT', 'CHANNEL_COMMENT', 'TASKS_TASK']) {
    assert.deepEqual(full[key], [], key);
  }
  assert.deepEqual(await ok(u.hook, 'im.counters.get', { ONLY_COUNTER: 'Y' }), full.TYPE);
  const camel = await ok(u.hook, 'im.counters.get', { JSON: 'Y', ONLY_COUNTER: 1 });
  assert.deepEqual(camel, { all: 2, notify: 2, chat: 0, lines: 0, dialog: 0, copilot: 0, collab: 0, messenger: 0, tasksTask: 0 });
  assert.ok('CHAT_MUTED' in (await ok(u.hook, 'im.counters.get', { only_counter: 'Y' })), 'lower-case keys are not read');
});

test('read: ID=0 reads all but confirms, negative IDs and unread-from-0 change nothing, unread brings same-tag siblings back', async () => {
  const u = await ts.addUser({ login: 'details-read' });
  const plain = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'plain' });
  const confirm = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'confirm', BUTTONS: [{ TITLE: 'Yes', VALUE: 'Y', TYPE: 'accept' }] });
  const states = async () => Object.fromEntries((await ok(u.hook, 'im.notify.get')).notifications.map((n: { id: number; notify_read: string }) => [n.id, n.notify_read]));
  await ok(u.hook, 'im.notify.read', { ID: -5 });
  assert.deepEqual(await states(), { [plain]: 'N', [confirm]: 'N' });
  await ok(u.hook, 'im.notify.read', { ID: 'abc' });
  assert.deepEqual(await states(), { [plain]: 'Y', [confirm]: 'N' }, 'non-numeric ID acts as 0');
  await ok(u.hook, 'im.notify.read', { ID: 0, ACTION: 'N' });
  assert.deepEqual(await states(), { [plain]: 'Y', [confirm]: 'N' }, 'unread from 0 is a no-op');
  await ok(u.hook, 'im.notify.read', { ID: confirm, ACTION: 'Y' });
  assert.deepEqual(await states(), { [plain]: 'Y', [confirm]: 'Y' }, 'explicit id reads confirms too');

  // Two notifications sharing a tag (the portal's confirm notifications can): unreading one
  // brings the other back; reading stays exact. Another user's id is ignored.
  const repo = ts.server.services.store.notifications;
  const base = { userId: u.id, authorId: 0, type: 4 as const, module: 'rest', event: 'rest_notify', subTag: '', title: '', messageOut: '', buttons: '', params: '', senderClientId: '', tagOwner: '', createdAt: Date.now() };
  const t1 = await repo.insert({ ...base, tag: 'MP|abcde|GROUP', text: 'g1' });
  const t2 = await repo.insert({ ...base, tag: 'MP|abcde|GROUP', text: 'g2' });
  await ok(u.hook, 'im.notify.read', { ID: 0 });
  await ok(u.hook, 'im.notify.read', { ID: t1, ACTION: 'N', ONLY_CURRENT: 'Y' });
  let s = await states();
  assert.deepEqual([s[t1], s[t2], s[plain]], ['N', 'N', 'Y']);
  await ok(u.hook, 'im.notify.read.list', { IDS: [t1] });
  s = await states();
  assert.deepEqual([s[t1], s[t2]], ['Y', 'N'], 'read is exact');
  await ok(u.hook, 'im.notify.read.list', { IDS: [t2], ACTION: 'N' });
  s = await states();
  assert.deepEqual([s[t1], s[t2]], ['N', 'N'], 'read.list unread brings siblings too');
  const stranger = await ts.addUser({ login: 'details-stranger' });
  await ok(u.hook, 'im.notify.read', { ID: 0 });
  await ok(stranger.hook, 'im.notify.read', { ID: t1, ACTION: 'N' });
  s = await states();
  assert.deepEqual([s[t1], s[t2], s[plain]], ['Y', 'Y', 'Y'], "another user's id changes nothing");
});

test('BUTTONS: invalid buttons dropped, none valid gives the default pair, JSON string accepted', async () => {
  const u = await ts.addUser({ login: 'details-buttons' });
  const keyboard = async (id: number) => {
    const n = (await ok(u.hook, 'im.notify.get')).notifications.find((x: { id: number }) => x.id === id);
    return JSON.parse(n.notify_buttons).map((b: { TEXT: string; COMMAND_PARAMS: string }) => [b.TEXT, b.COMMAND_PARAMS]);
  };
  const mixed = await ok(ts.hook, 'im.notify.system.add', {
    USER_ID: u.id, MESSAGE: 'pick', BUTTONS: [{ TITLE: 'Go', VALUE: 'go', TYPE: 'accept' }, { TITLE: 'No value', TYPE: 'cancel' }],
  });
  assert.deepEqual(await keyboard(mixed), [['Go', `${mixed}|go`]]);
  const fallback = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'pick', BUTTONS: [{ TITLE: 'x' }] });
  assert.deepEqual(await keyboard(fallback), [['Accept', `${fallback}|Y`], ['Cancel', `${fallback}|N`]]);
  const asString = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'pick', BUTTONS: JSON.stringify([{ TITLE: 'S', VALUE: 's', TYPE: 'accept' }]) }, 'form');
  assert.deepEqual(await keyboard(asString), [['S', `${asString}|s`]]);
});
