import type { Migration } from './ddl.ts';

/**
 * Web Push: each user's subscribed browsers and the queue of notifications waiting to be pushed
 * to them (one row per notification and subscription, so a failing device is retried without
 * pushing again to the others). The server's VAPID key pair lives in `instance_facts`.
 * A delivery has no foreign key to its notification: one deleted before it went is skipped.
 */
export const webPush: Migration = {
  version: 9,
  name: 'web-push',
  up: (d) => [
    `CREATE TABLE push_subscriptions (
      id ${d.id},
      user_id ${d.bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      endpoint ${d.text} NOT NULL UNIQUE,
      p256dh ${d.text} NOT NULL,
      auth ${d.text} NOT NULL,
      user_agent ${d.text} NOT NULL DEFAULT '',
      created_at ${d.bigint} NOT NULL,
      last_success_at ${d.bigint},
      last_error ${d.text} NOT NULL DEFAULT ''
    )`,
    `CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, id)`,
    `CREATE TABLE push_deliveries (
      id ${d.id},
      subscription_id ${d.bigint} NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
      notification_id ${d.bigint} NOT NULL,
      user_id ${d.bigint} NOT NULL,
      due_at ${d.bigint} NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      claimed_by ${d.text},
      claimed_until ${d.bigint},
      created_at ${d.bigint} NOT NULL
    )`,
    `CREATE INDEX push_deliveries_due ON push_deliveries(due_at, id)`,
    `CREATE INDEX push_deliveries_subscription ON push_deliveries(subscription_id)`,
  ],
};
