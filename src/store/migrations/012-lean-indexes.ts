import type { Migration } from './ddl.ts';

/**
 * Fewer index entries per send: every notification and its queued e-mail wrote eleven index
 * entries, most of them for queries that only ever look for a few rows.
 * - Tags: only tagged notifications are ever looked up by tag (a replace, a delete by tag, the
 *   siblings of an unread), and most notifications have none: the tag indexes hold tagged rows.
 *   Those queries say `tag <> ''` (or `sub_tag <> ''`) so that they may use them.
 * - Confirms: the confirm stage of a page (`notify_type = 1`) is what needed its own index; it
 *   now holds only confirm notifications, by user and id.
 * - The e-mail outbox: one index by user, state and notification serves both the cancels by
 *   notification (always of one user's queued mails) and the per-user ones.
 */
export const leanIndexes: Migration = {
  version: 12,
  name: 'lean-indexes',
  up: () => [
    `DROP INDEX notifications_tag`,
    `CREATE INDEX notifications_tag ON notifications(tag) WHERE tag <> ''`,
    `DROP INDEX notifications_sub_tag`,
    `CREATE INDEX notifications_sub_tag ON notifications(sub_tag) WHERE sub_tag <> ''`,
    `DROP INDEX notifications_user_type`,
    `CREATE INDEX notifications_confirms ON notifications(user_id, id) WHERE notify_type = 1`,
    `DROP INDEX mail_outbox_notification`,
    `DROP INDEX mail_outbox_user`,
    `CREATE INDEX mail_outbox_user ON mail_outbox(user_id, state, notification_id)`,
  ],
};
