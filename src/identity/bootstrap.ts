import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';
import { createUser, createWebhook } from './accounts.ts';

/**
 * First start: user 1 "Administrator" and a webhook with scope `im` (and `user`), so a
 * newcomer has something to call at once. The plain code is written once to a 0600 file in the
 * data folder (the database only keeps its hash) so every later start can print the URL again.
 */
export interface BootstrapDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'dataDir'>;
}

export async function ensureBootstrap(deps: BootstrapDeps): Promise<{ userId: number; code: string } | null> {
  const { store, clock, config } = deps;
  const file = join(config.dataDir, 'admin-webhook.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { userId: number; code: string; webhookId: number };
    const webhook = await store.webhooks.byId(saved.webhookId);
    if (webhook?.active) return saved;
  }
  if ((await store.users.count()) > 0 && !existsSync(file)) return null;
  const admin = (await store.users.byId(1)) ?? (await createAdmin(store, clock.now()));
  if (!admin) return null;
  const { webhook, code } = await createWebhook(
    store,
    { userId: admin.id, scopes: ['im', 'user'], title: 'Created on first start' },
    clock.now(),
  );
  const saved = { userId: admin.id, code, webhookId: webhook.id };
  writeFileSync(file, JSON.stringify(saved), { mode: 0o600 });
  return saved;
}

/**
 * The administrator, or null when another node sharing the database created it a moment ago
 * (nodes started together on an empty PostgreSQL): that node prints the URL, this one serves.
 */
async function createAdmin(store: Store, now: number) {
  try {
    return await createUser(store, { login: 'admin', name: 'Administrator', isAdmin: true }, now);
  } catch (err) {
    if (await store.users.byLogin('admin')) return null;
    throw err;
  }
}
