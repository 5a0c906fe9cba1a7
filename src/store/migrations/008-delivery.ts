import type { Migration } from './ddl.ts';

/**
 * Delivery beyond the open page: which notification types reach which channel (the
 * administrator's defaults and each user's overrides), each user's do-not-disturb switch and
 * quiet hours, and the durable e-mail outbox. Times are Unix milliseconds.
 */
export const delivery: Migration = {
  version: 8,
  name: 'delivery',
  up: (d) => [
    // One row per switch somebody set; a missing row falls back (user → default → on).
    `CREATE TABLE delivery_defaults (
      type_key ${d.text} NOT NULL,
      channel ${d.text} NOT NULL,
      enabled INTEGER NOT NULL,
      updated_at ${d.bigint} NOT NULL,
      PRIMARY KEY (type_key, channel)
    )`,
    `CREATE TABLE delivery_overrides (
      user_id ${d.bigint} NOT NULL,
      type_key ${d.text} NOT NULL,
      channel ${d.text} NOT NULL,
      enabled INTEGER NOT NULL,
      updated_at ${d.bigint} NOT NULL,
      PRIMARY KEY (user_id, type_key, channel)
    )`,
    `CREATE TABLE delivery_quiet (
      user_id ${d.bigint} PRIMARY KEY,
      dnd INTEGER NOT NULL DEFAULT 0,
      quiet_from ${d.text} NOT NULL DEFAULT '',
      quiet_to ${d.text} NOT NULL DEFAULT '',
      updated_at ${d.bigint} NOT NULL
    )`,
    // One row per notification that may be mailed; a digest mail covers several rows.
    `CREATE TABLE mail_outbox (
      id ${d.id},
      user_id ${d.bigint} NOT NULL,
      notification_id ${d.bigint} NOT NULL,
      type_key ${d.text} NOT NULL,
      state ${d.text} NOT NULL DEFAULT 'queued',
      due_at ${d.bigint} NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      claimed_by ${d.text},
      claimed_until ${d.bigint},
      last_error ${d.text} NOT NULL DEFAULT '',
      mail_id ${d.bigint},
      created_at ${d.bigint} NOT NULL,
      finished_at ${d.bigint}
    )`,
    `CREATE INDEX mail_outbox_due ON mail_outbox(state, due_at)`,
    `CREATE INDEX mail_outbox_user ON mail_outbox(user_id, state)`,
    `CREATE INDEX mail_outbox_notification ON mail_outbox(notification_id)`,
    // The rendered mail of an attempt (shared by the rows of a digest).
    `CREATE TABLE mail_messages (
      id ${d.id},
      user_id ${d.bigint} NOT NULL,
      recipient ${d.text} NOT NULL,
      subject ${d.text} NOT NULL,
      text_body ${d.text} NOT NULL,
      html_body ${d.text} NOT NULL,
      headers ${d.text} NOT NULL DEFAULT '{}',
      created_at ${d.bigint} NOT NULL
    )`,
  ],
};
