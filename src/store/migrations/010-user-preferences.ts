import type { Migration } from './ddl.ts';

/**
 * What a user chose for the web pages: colour theme and language. A row exists only once the
 * user changed something; no row means "follow the browser" for both.
 */
export const userPreferences: Migration = {
  version: 10,
  name: 'user-preferences',
  up: (d) => [
    `CREATE TABLE user_preferences (
      user_id ${d.bigint} PRIMARY KEY REFERENCES users(id),
      theme ${d.text} NOT NULL DEFAULT 'auto',
      language ${d.text} NOT NULL DEFAULT '',
      updated_at ${d.bigint} NOT NULL
    )`,
  ],
};
