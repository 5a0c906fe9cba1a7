import type { Migration } from './ddl.ts';

/**
 * Per-user notification counters, kept by the repository in the same transaction as every
 * change, so `im.notify.get` and the counter pushes cost the same with 1 k or 1 M stored
 * notifications (counting rows made both grow with the data). Also an index for the page of
 * confirm notifications, which otherwise walks all of a user's rows to find a few.
 */
export const notifyCounters: Migration = {
  version: 6,
  name: 'notify-counters',
  up: (d) => [
    `CREATE TABLE notify_counters (
      user_id ${d.bigint} PRIMARY KEY,
      total ${d.bigint} NOT NULL DEFAULT 0,
      unread ${d.bigint} NOT NULL DEFAULT 0,
      unread_confirms ${d.bigint} NOT NULL DEFAULT 0
    )`,
    `INSERT INTO notify_counters (user_id, total, unread, unread_confirms)
     SELECT user_id, COUNT(*),
            SUM(CASE WHEN is_read = 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN is_read = 0 AND notify_type = 1 THEN 1 ELSE 0 END)
     FROM notifications GROUP BY user_id`,
    `CREATE INDEX notifications_user_type ON notifications(user_id, notify_type, id)`,
  ],
};
