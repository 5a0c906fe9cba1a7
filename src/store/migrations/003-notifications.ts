import type { Migration } from './ddl.ts';

/** Notifications and each user's notification chat. Times are Unix milliseconds. */
export const notifications: Migration = {
  version: 3,
  name: 'notifications',
  up: (d) => [
    `CREATE TABLE notify_chats (
      id ${d.id},
      user_id ${d.bigint} NOT NULL UNIQUE
    )`,
    `CREATE TABLE notifications (
      id ${d.id},
      user_id ${d.bigint} NOT NULL,
      author_id ${d.bigint} NOT NULL DEFAULT 0,
      notify_type INTEGER NOT NULL,
      module ${d.text} NOT NULL DEFAULT 'rest',
      event ${d.text} NOT NULL DEFAULT 'rest_notify',
      tag ${d.text} NOT NULL DEFAULT '',
      sub_tag ${d.text} NOT NULL DEFAULT '',
      title ${d.text} NOT NULL DEFAULT '',
      body ${d.text} NOT NULL,
      is_read INTEGER NOT NULL DEFAULT 0,
      buttons ${d.text} NOT NULL DEFAULT '',
      params ${d.text} NOT NULL DEFAULT '',
      sender_client_id ${d.text} NOT NULL DEFAULT '',
      created_at ${d.bigint} NOT NULL
    )`,
    `CREATE INDEX notifications_user ON notifications(user_id, id)`,
    `CREATE INDEX notifications_tag ON notifications(tag)`,
    `CREATE INDEX notifications_sub_tag ON notifications(sub_tag)`,
    `CREATE INDEX notifications_created ON notifications(created_at)`,
  ],
};
