/**
 * Which networks event handlers may reach (NOTIFY24_HANDLER_NETWORKS). The default refuses
 * loopback and link-local; the check runs at event.bind and again on the address each delivery
 * connects to, and a refused delivery never opens a connection. Real listeners on 127.0.0.1
 * count every connection they get.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { defaultConfig, parseSetting } from '../../src/config.ts';
import { addressClass, checkHost } from '../../src/lib/networks.ts';
import type { EventDelivery } from '../../src/store/port/apps.ts';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, tokensFor } from './oauth-client.ts';

/** An HTTP listener on 127.0.0.1 that counts connections and answers every request with `reply`. */
class Listener {
  connections = 0;
  requests = 0;
  private readonly server: Server;
  constructor(reply: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok')) {
    this.server = createServer((req, res) => {
      this.requests++;
      req.resume();
      req.on('end', () => reply(res));
    });
    this.server.on('connection', () => this.connections++);
  }
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let strict: TestServer;
let listener: Listener;
before(async () => {
  // The shipped default, stated as the configuration declares it (the test helper adds loopback).
  strict = await startTestServer({ handlerNetworks: defaultConfig().handlerNetworks, eventMaxAttempts: 1 });
  listener = await new Listener().start();
});
after(async () => {
  await strict.close();
  await listener.stop();
});

async function deliveriesUntil(ts: TestServer, appId: number, check: (rows: EventDelivery[]) => boolean): Promise<EventDelivery[]> {
  for (;;) {
    const rows = await ts.server.services.store.events.deliveries({ appId, limit: 10 });
    if (check(rows)) return rows;
    await sleep(20);
  }
}

test('addresses are sorted into networks; IPv4 inside IPv6 counts as the IPv4 address', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'], ['2606:4700::1111', 'public'], ['172.32.0.1', 'public'],
    ['10.1.2.3', 'private'], ['172.31.255.1', 'private'], ['192.168.0.1', 'private'], ['100.64.0.1', 'private'], ['fd12::1', 'private'],
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['::ffff:169.254.169.254', 'link-local'], ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'], ['255.255.255.255', 'reserved'],
  ];
  assert.deepEqual(cases.map(([a]) => [a, addressClass(a)]), cases);
  assert.deepEqual(defaultConfig().handlerNetworks, ['public', 'private']);
  assert.deepEqual(parseSetting('handlerNetworks', 'public, private,LOOPBACK'), ['public', 'private', 'loopback']);
  assert.throws(() => parseSetting('handlerNetworks', 'public,multicast'), /NOTIFY24_HANDLER_NETWORKS: expected a comma-separated list/);
});

test('event.bind refuses loopback and metadata addresses by default, with a clear error', async () => {
  const a = await addApp(strict, { name: 'Binder' });
  const token = (await tokensFor(strict, a, 1)).access_token;
  const rest = `${strict.url}/rest/`;
  const refused: [string, RegExp][] = [
    [`http://127.0.0.1:${listener.port}/h/`, /127\.0\.0\.1 is on a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is on a link-local address/],
    ['http://0.0.0.0/h/', /unspecified/],
  ];
  for (const [handler, why] of refused) {
    const r = await call(rest, 'event.bind', { auth: token, event: 'ONIMNOTIFYANSWER', handler });
    assert.equal(r.status, 400, handler);
    assert.equal(r.body.error, 'ERROR_WRONG_HANDLER_URL', handler);
    assert.match(r.body.error_description, /^Wrong handler URL: /);
    assert.match(r.body.error_description, why);
    assert.match(r.body.error_description, /NOTIFY24_HANDLER_NETWORKS/);
  }
  // A private address passes (nothing listens there; the bind does not connect).
  assert.equal(await ok(rest, 'event.bind', { auth: token, event: 'ONIMNOTIFYANSWER', handler: 'http://10.255.255.1/h/' }), true);
  assert.equal(listener.connections, 0);
  // A name is checked on every address it resolves to (the portal's rule wants a dot in the host,
  // which no loopback name here has, so the bind's lookup is called directly).
  await assert.rejects(checkHost('localhost', ['public', 'private'], 2000), /127\.0\.0\.1 is on a loopback address/);
  await checkHost('localhost', ['loopback'], 2000);
});

test('deliveries check the address they connect to: refused ones fail with the reason and never connect', async () => {
  // Application handler URLs are set by the operator, not through event.bind: delivery is the check.
  for (const host of ['127.0.0.1', 'localhost']) {
    const a = await addApp(strict, { name: `Installer ${host}`, handlerUrl: `http://${host}:${listener.port}/install/` });
    await tokensFor(strict, a, 1);
    const [row] = await deliveriesUntil(strict, a.app.id, (rows) => rows[0]?.status === 'failed');
    assert.equal(row!.event, 'ONAPPINSTALL');
    assert.match(row!.log[0]!.error!, /^refused: 127\.0\.0\.1 is on a loopback address, not allowed by NOTIFY24_HANDLER_NETWORKS$/);
    assert.equal(row!.log[0]!.status, null);
  }
  assert.equal(listener.connections, 0, 'no connection was opened, so no token left the server');
  // The server is fine afterwards.
  assert.match(await ok(strict.hook, 'server.time'), /^\d{4}-/);
});

test('with loopback allowed, deliveries reach it, and a redirect is an answer, not followed', async () => {
  const target = await new Listener().start();
  const redirecting = await new Listener((res) => {
    res.writeHead(307, { Location: `http://127.0.0.1:${target.port}/stolen/` });
    res.end();
  }).start();
  const open = await startTestServer({ handlerNetworks: ['public', 'private', 'loopback'], eventMaxAttempts: 1 });
  try {
    const a = await addApp(open, { name: 'Redirected', handlerUrl: `http://localhost:${redirecting.port}/install/` });
    await tokensFor(open, a, 1);
    const [row] = await deliveriesUntil(open, a.app.id, (rows) => rows[0]?.status === 'failed');
    assert.deepEqual([row!.log[0]!.status, row!.log[0]!.error], [307, 'HTTP 307']);
    assert.equal(redirecting.requests, 1);
    assert.equal(target.connections, 0);
  } finally {
    await open.close();
    await target.stop();
    await redirecting.stop();
  }
});
