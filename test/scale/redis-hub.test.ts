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
