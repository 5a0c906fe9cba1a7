import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PushMessage } from '../../src/realtime/hub.ts';
import { RedisPushHub } from '../../src/realtime/redis-hub.ts';
import { needsRedis, testRedisUrl, uniquePrefix } from '../helpers/services.ts';

/** A hub as one node builds it: a command connection and a subscriber connection. */
function node(t: import('node:test').TestContext, prefix: string): RedisPushHub {
  const commands = new Redis(testRedisUrl());
  const subscriber = new Redis(testRedisUrl());
  const hub = new RedisPushHub(commands, subscriber, prefix);
  t.after(async () => {
    await hub.close();
    await Promise.all([commands.quit(), subscriber.quit()]);
  });
  return hub;
}

/** Resolves with the next message a listener of `userId` on `hub` receives. */
function nextMessage(hub: RedisPushHub, userId: number): Promise<PushMessage> {
  return new Promise((resolve) => {
    const off = hub.subscribe(userId, (m) => {
      off();
      resolve(m);
    });
  });
}

test('a message published on node A reaches the subscriber of node B, and only that user', async (t) => {
  if (!(await needsRedis(t))) return;
  const prefix = uniquePrefix();
  const a = node(t, prefix);
  const b = node(t, prefix);
  const forUser7 = nextMessage(b, 7);
  const forUser8: PushMessage[] = [];
  b.subscribe(8, (m) => forUser8.push(m));
  await Promise.all([b.subscribed(7), b.subscribed(8)]);
  await a.publish(7, { command: 'notifyAdd', params: { id: 42, text: 'héllo' } });
  assert.deepEqual(await forUser7, { command: 'notifyAdd', params: { id: 42, text: 'héllo' } });
  // A later message to user 8 arrives after the earlier one would have (one ordered connection).
  const late = nextMessage(b, 8);
  await b.subscribed(8);
  await a.publish(8, { command: 'counters', params: {} });
  await late;
  assert.deepEqual(forUser8, [{ command: 'counters', params: {} }], 'user 8 never saw user 7 message');
});

test('the publishing node delivers to its own subscribers exactly once', async (t) => {
  if (!(await needsRedis(t))) return;
  const a = node(t, uniquePrefix());
  const got: PushMessage[] = [];
  a.subscribe(5, (m) => got.push(m));
  const second = nextMessage(a, 5);
  await a.subscribed(5);
  await a.publish(5, { command: 'one', params: {} });
  await second;
  const third = nextMessage(a, 5);
  await a.publish(5, { command: 'two', params: {} });
  await third;
  assert.deepEqual(got.map((m) => m.command), ['one', 'two']);
});

test('after the last local listener leaves, the node unsubscribes from Redis', async (t) => {
  if (!(await needsRedis(t))) return;
  const prefix = uniquePrefix();
  const a = node(t, prefix);
  const probe = new Redis(testRedisUrl());
  t.after(() => probe.quit());
  const off1 = a.subscribe(9, () => undefined);
  const off2 = a.subscribe(9, () => undefined);
  await a.subscribed(9);
  assert.equal(await probe.publish(`${prefix}9`, '{}'), 1, 'one Redis subscription for two listeners');
  off1();
  assert.equal(await probe.publish(`${prefix}9`, '{}'), 1);
  off2();
  // UNSUBSCRIBE travels on the subscriber connection; a PING queued behind it on that same
  // connection answers only after Redis has processed the UNSUBSCRIBE.
  const sub = (a as unknown as { subscriber: Redis }).subscriber;
  await sub.ping();
  assert.equal(await probe.publish(`${prefix}9`, '{}'), 0);
});

/**
 * Records every command `hub` sends on its command connection from now on (`name args…`). The
 * connection is made first, so its handshake is not among them.
 */
async function commandsSentBy(hub: RedisPushHub): Promise<string[]> {
  const commands = (hub as unknown as { publisher: Redis }).publisher;
  await commands.ping();
  const sent: string[] = [];
  const send = commands.sendCommand.bind(commands);
  commands.sendCommand = (command, stream) => (sent.push([command.name, ...command.args].join(' ')), send(command, stream));
  return sent;
}

test('the publishes of one tick go to Redis as one command, in order, each to its own user', async (t) => {
  if (!(await needsRedis(t))) return;
  const prefix = uniquePrefix();
  const a = node(t, prefix);
  const b = node(t, prefix);
  const got: string[] = [];
  b.subscribe(1, (m) => got.push(`1:${m.command}`));
  b.subscribe(2, (m) => got.push(`2:${m.command}`));
  await Promise.all([b.subscribed(1), b.subscribed(2)]);
  const sent = await commandsSentBy(a);

  await Promise.all([a.publish(1, { command: 'a', params: {} }), a.publish(2, { command: 'b', params: {} }), a.publish(1, { command: 'c', params: {} })]);
  await a.publish(1, { command: 'd', params: {} });
  await Promise.all([a.publish(2, { command: 'e', params: {} }), a.publish(1, { command: 'f', params: {} })]);
  assert.deepEqual(sent.map((c) => c.split(' ')[0]), ['eval', 'publish', 'eval'], 'one command per tick: a script for several, a PUBLISH for one');
  // Deliveries trail the publishes' answers: the last one shows that all before it arrived.
  const last = new Promise<void>((resolve) => b.subscribe(1, (m) => m.command === 'end' && resolve()));
  await a.publish(1, { command: 'end', params: {} });
  await last;
  assert.deepEqual(got, ['1:a', '2:b', '1:c', '1:d', '2:e', '1:f', '1:end']);
});

test('heard: false while no node subscribes to the user, true once any node does; a listener here answers without asking Redis', async (t) => {
  if (!(await needsRedis(t))) return;
  const prefix = uniquePrefix();
  const a = node(t, prefix);
  const b = node(t, prefix);
  const sent = await commandsSentBy(a);

  assert.deepEqual(await Promise.all([a.heard(21), a.heard(22)]), [false, false]);
  assert.deepEqual(sent, [`pubsub NUMSUB ${prefix}21 ${prefix}22`], 'the questions of one tick in one command');
  const offB = b.subscribe(22, () => undefined);
  await b.subscribed(22);
  assert.deepEqual(await Promise.all([a.heard(21), a.heard(22)]), [false, true], 'a subscriber on another node counts');
  offB();
  await (b as unknown as { subscriber: Redis }).subscriber.ping();
  assert.equal(await a.heard(22), false, 'and stops counting once it left');
  sent.length = 0;
  const offA = a.subscribe(21, () => undefined);
  assert.equal(await a.heard(21), true);
  assert.deepEqual(sent, [], 'a listener on this node answers without Redis');
  offA();
});
