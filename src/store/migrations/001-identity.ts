import type { Migration } from './ddl.ts';

/** Users and their incoming webhooks. Times are Unix milliseconds. */
export const identity: Migration = {
  version: 1,
  name: 'identity',
  up: (d) => [
    `CREATE TABLE users (
      id ${d.id},
      login ${d.text} NOT NULL UNIQUE,
      password_hash ${d.text},
      name ${d.text} NOT NULL DEFAULT '',
      last_name ${d.text} NOT NULL DEFAULT '',
      second_name ${d.text} NOT NULL DEFAULT '',
      email ${d.text} NOT NULL DEFAULT '',
      work_position ${d.text} NOT NULL DEFAULT '',
      gender ${d.text} NOT NULL DEFAULT '',
      photo_url ${d.text} NOT NULL DEFAULT '',
      time_zone ${d.text} NOT NULL DEFAULT '',
      is_admin INTEGER NOT NULL DEFAULT 0,
      active INTEGER NOT NULL DEFAULT 1,
      created_at ${d.bigint} NOT NULL,
      last_activity_at ${d.bigint}
    )`,
    `CREATE TABLE webhooks (
      id ${d.id},
      user_id ${d.bigint} NOT NULL REFERENCES users(id),
      code_hash ${d.text} NOT NULL,
      title ${d.text} NOT NULL DEFAULT '',
      scopes ${d.text} NOT NULL DEFAULT '',
      active INTEGER NOT NULL DEFAULT 1,
      created_at ${d.bigint} NOT NULL,
      last_used_at ${d.bigint},
      last_used_ip ${d.text}
    )`,
    `CREATE INDEX webhooks_user ON webhooks(user_id)`,
  ],
};
