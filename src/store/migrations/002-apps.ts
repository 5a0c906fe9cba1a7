import type { Migration } from './ddl.ts';

/**
 * Applications (OAuth 2.0 clients), their codes and tokens, event bindings and the durable
 * queue of event deliveries. Times are Unix milliseconds.
 *
 * Credentials we verify (client secret, codes, access and refresh tokens) are kept only as
 * SHA-256. The application token is the opposite: we never verify it, we send it in every
 * event so the application can verify us; it has to be kept as issued (see docs/apps.md).
 */
export const apps: Migration = {
  version: 2,
  name: 'apps',
  up: (d) => [
    // One row of facts about this installation ("portal"), e.g. its member_id.
    `CREATE TABLE instance_facts (
      name ${d.text} PRIMARY KEY,
      value ${d.text} NOT NULL
    )`,
    `CREATE TABLE apps (
      id ${d.id},
      client_id ${d.text} NOT NULL UNIQUE,
      client_secret_hash ${d.text} NOT NULL,
      name ${d.text} NOT NULL DEFAULT '',
      code ${d.text} NOT NULL DEFAULT '',
      version INTEGER NOT NULL DEFAULT 1,
      scopes ${d.text} NOT NULL DEFAULT '',
      handler_url ${d.text} NOT NULL DEFAULT '',
      redirect_uri ${d.text} NOT NULL DEFAULT '',
      active INTEGER NOT NULL DEFAULT 1,
      installed INTEGER NOT NULL DEFAULT 0,
      installed_at ${d.bigint},
      application_token ${d.text} NOT NULL,
      created_at ${d.bigint} NOT NULL
    )`,
    // Users who approved an application: later authorizations skip the consent page.
    `CREATE TABLE app_grants (
      app_id ${d.bigint} NOT NULL REFERENCES apps(id),
      user_id ${d.bigint} NOT NULL REFERENCES users(id),
      created_at ${d.bigint} NOT NULL,
      PRIMARY KEY (app_id, user_id)
    )`,
    `CREATE TABLE oauth_codes (
      code_hash ${d.text} PRIMARY KEY,
      app_id ${d.bigint} NOT NULL REFERENCES apps(id),
      user_id ${d.bigint} NOT NULL REFERENCES users(id),
      scopes ${d.text} NOT NULL DEFAULT '',
      expires_at ${d.bigint} NOT NULL
    )`,
    `CREATE TABLE oauth_tokens (
      id ${d.id},
      app_id ${d.bigint} NOT NULL REFERENCES apps(id),
      user_id ${d.bigint} NOT NULL REFERENCES users(id),
      scopes ${d.text} NOT NULL DEFAULT '',
      access_hash ${d.text} NOT NULL UNIQUE,
      refresh_hash ${d.text} UNIQUE,
      access_expires_at ${d.bigint} NOT NULL,
      refresh_expires_at ${d.bigint} NOT NULL,
      refresh_used_at ${d.bigint},
      revoked INTEGER NOT NULL DEFAULT 0,
      created_at ${d.bigint} NOT NULL
    )`,
    `CREATE INDEX oauth_tokens_app_user ON oauth_tokens(app_id, user_id)`,
    `CREATE INDEX oauth_tokens_refresh_expiry ON oauth_tokens(refresh_expires_at)`,
    `CREATE TABLE event_bindings (
      id ${d.id},
      app_id ${d.bigint} NOT NULL REFERENCES apps(id),
      event ${d.text} NOT NULL,
      handler ${d.text} NOT NULL,
      auth_user_id ${d.bigint} NOT NULL DEFAULT 0,
      bound_by ${d.bigint} NOT NULL,
      created_at ${d.bigint} NOT NULL,
      UNIQUE (app_id, event, handler, auth_user_id)
    )`,
    `CREATE TABLE event_deliveries (
      id ${d.id},
      app_id ${d.bigint} NOT NULL REFERENCES apps(id),
      binding_id ${d.bigint},
      event ${d.text} NOT NULL,
      handler ${d.text} NOT NULL,
      user_id ${d.bigint} NOT NULL DEFAULT 0,
      data ${d.text} NOT NULL,
      with_refresh INTEGER NOT NULL DEFAULT 0,
      status ${d.text} NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at ${d.bigint} NOT NULL,
      claimed_by ${d.text},
      claimed_until ${d.bigint},
      last_status INTEGER,
      last_error ${d.text},
      attempt_log ${d.text} NOT NULL DEFAULT '[]',
      created_at ${d.bigint} NOT NULL,
      delivered_at ${d.bigint}
    )`,
    `CREATE INDEX event_deliveries_due ON event_deliveries(status, next_attempt_at)`,
  ],
};
