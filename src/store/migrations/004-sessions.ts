import type { Migration } from './ddl.ts';

/**
 * Browser sessions of the web page. The cookie's value is a random secret: only its hash is
 * kept, so a copy of the database cannot be used to sign in.
 */
export const sessions: Migration = {
  version: 4,
  name: 'web-sessions',
  up: (d) => [
    `CREATE TABLE web_sessions (
      id ${d.id},
      token_hash ${d.text} NOT NULL UNIQUE,
      user_id ${d.bigint} NOT NULL REFERENCES users(id),
      created_at ${d.bigint} NOT NULL,
      last_seen_at ${d.bigint} NOT NULL,
      expires_at ${d.bigint} NOT NULL,
      ip ${d.text} NOT NULL DEFAULT ''
    )`,
    `CREATE INDEX web_sessions_user ON web_sessions(user_id)`,
    `CREATE INDEX web_sessions_expires ON web_sessions(expires_at)`,
  ],
};
