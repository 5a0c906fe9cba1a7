import { join, resolve } from 'node:path';
import type { LogLevel } from './lib/log.ts';
import { RATE_PROFILES, type BucketSettings } from './limits/rate-limiter.ts';

/** Everything the server can be told, with every default in one place. */
export interface Config {
  /** Notifications older than this many days are purged (Bitrix24 keeps 60). */
  retentionDays: number;
  /** Opt-in: let a webhook's CLIENT_ID set tags on add (the documented, not the portal's, behaviour). */
  webhookTagsWithClientId: boolean;
  host: string;
  /** Plain HTTP port; 0 picks a free one. */
  port: number;
  /** HTTPS port; 0 picks a free one, null disables HTTPS. */
  httpsPort: number | null;
  /** Where the SQLite file, the generated certificate and other state live. */
  dataDir: string;
  /** A SQLite file path, or `postgres://...`. */
  databaseUrl: string;
  /** PEM files for HTTPS; when absent a self-signed pair is generated in dataDir. */
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  /** Public base URL used in printed and returned URLs (e.g. behind a proxy). */
  publicUrl: string | null;
  /** Refuse webhook calls over plain HTTP with INVALID_REQUEST, as the portal does. */
  webhookRequiresHttps: boolean;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Largest accepted request head, bytes (long GET batches need more than Node's 16 KiB). */
  maxHeaderSize: number;
  /** Leaky bucket per source IP (docs/limits.md); null switches it off. */
  rateLimit: BucketSettings | null;
  /** `redis://...`: shared rate-limit counters and cross-node push; null = this process only. */
  redisUrl: string | null;
  /** Start of every Redis key and channel, so deployments (or tests) can share one Redis. */
  redisPrefix: string;
  /**
   * Behind a load balancer: take the client's address from X-Forwarded-For (its first entry)
   * for the rate limit and webhook records. Only switch on when a proxy always sets the header.
   */
  trustProxy: boolean;
  /** Operating-time limit per caller and method, seconds per 10 minutes; null = off. */
  operatingLimit: number | null;
  logLevel: LogLevel;
  /** Lifetime of an OAuth authorization code, seconds (Bitrix24: 30). */
  oauthCodeTtl: number;
  /** Lifetime of an OAuth access token, seconds (Bitrix24: 3600, the `expires_in`). */
  oauthAccessTtl: number;
  /** Lifetime of an OAuth refresh token, seconds (Bitrix24 docs: 180 days). */
  oauthRefreshTtl: number;
  /** First retry of a failed event delivery after this many ms; each next one waits twice as long. */
  eventRetryBaseMs: number;
  /** A delivery is given up (status failed) after this many attempts. */
  eventMaxAttempts: number;
  /** How long one delivery POST may take before it counts as failed, ms. */
  eventTimeoutMs: number;
  /** How often the delivery worker looks for due rows queued by other nodes or retries, ms. */
  eventPollMs: number;
  /** A web session ends after this long without use (sliding), in milliseconds. */
  sessionIdleMs: number;
}

export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(overrides.dataDir ?? 'data');
  return {
    host: '127.0.0.1',
    port: 8080,
    httpsPort: 8443,
    dataDir,
    databaseUrl: join(dataDir, 'notify24.db'),
    tlsCertFile: null,
    tlsKeyFile: null,
    publicUrl: null,
    webhookRequiresHttps: false,
    bodyLimit: 8 * 1024 * 1024,
    maxHeaderSize: 256 * 1024,
    rateLimit: RATE_PROFILES.standard!,
    operatingLimit: null,
    redisUrl: null,
    redisPrefix: 'notify24:',
    trustProxy: false,
    logLevel: 'info',
    sessionIdleMs: 12 * 3600_000,
    retentionDays: 60,
    webhookTagsWithClientId: false,
    oauthCodeTtl: 30,
    oauthAccessTtl: 3600,
    oauthRefreshTtl: 180 * 86_400,
    eventRetryBaseMs: 10_000,
    eventMaxAttempts: 8,
    eventTimeoutMs: 10_000,
    eventPollMs: 1000,
    ...overrides,
  };
}

function parseRateLimit(value: string): BucketSettings | null {
  if (value === 'off' || value === '0') return null;
  if (Object.hasOwn(RATE_PROFILES, value)) return RATE_PROFILES[value]!;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value);
  if (!m || Number(m[2]) <= 0) throw new Error(`NOTIFY24_RATE_LIMIT: expected off, standard, enterprise or BURST/DRAIN, got "${value}"`);
  return { burst: Number(m[1]), drain: Number(m[2]) };
}

/** The portal's self-hosted default once the operating-time limit is switched on. */
export const DEFAULT_OPERATING_LIMIT = 420;

/** `off`, `on` (420 s) or a number of seconds per ten minutes. */
function parseOperatingLimit(value: string): number | null {
  if (value === 'off' || value === '0') return null;
  if (value === 'on') return DEFAULT_OPERATING_LIMIT;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`NOTIFY24_OPERATING_LIMIT: expected off, on or seconds, got "${value}"`);
  }
  return seconds;
}

function parseOptionalPort(value: string): number | null {
  return value === 'off' ? null : Number(value);
}

/** A positive number from NOTIFY24_<name>, or a start-up error naming the variable. */
function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`NOTIFY24_${name}: expected a positive number, got "${value}"`);
  return n;
}

/** Reads NOTIFY24_* environment variables over the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv: Partial<Config> = {};
  const e = (name: string) => env[`NOTIFY24_${name}`];
  if (e('HOST')) fromEnv.host = e('HOST')!;
  if (e('PORT')) fromEnv.port = Number(e('PORT'));
  if (e('HTTPS_PORT')) fromEnv.httpsPort = parseOptionalPort(e('HTTPS_PORT')!);
  if (e('DATA_DIR')) fromEnv.dataDir = resolve(e('DATA_DIR')!);
  if (e('TLS_CERT')) fromEnv.tlsCertFile = e('TLS_CERT')!;
  if (e('TLS_KEY')) fromEnv.tlsKeyFile = e('TLS_KEY')!;
  if (e('PUBLIC_URL')) fromEnv.publicUrl = e('PUBLIC_URL')!;
  if (e('WEBHOOK_REQUIRES_HTTPS')) fromEnv.webhookRequiresHttps = e('WEBHOOK_REQUIRES_HTTPS') === '1';
  if (e('BODY_LIMIT')) fromEnv.bodyLimit = Number(e('BODY_LIMIT'));
  if (e('RATE_LIMIT')) fromEnv.rateLimit = parseRateLimit(e('RATE_LIMIT')!);
  if (e('OPERATING_LIMIT')) fromEnv.operatingLimit = parseOperatingLimit(e('OPERATING_LIMIT')!);
  if (e('REDIS_URL')) fromEnv.redisUrl = e('REDIS_URL')!;
  if (e('REDIS_PREFIX')) fromEnv.redisPrefix = e('REDIS_PREFIX')!;
  if (e('LOG_LEVEL')) fromEnv.logLevel = e('LOG_LEVEL') as LogLevel;
  if (e('TRUST_PROXY')) fromEnv.trustProxy = e('TRUST_PROXY') === '1';
  if (e('RETENTION_DAYS')) fromEnv.retentionDays = Number(e('RETENTION_DAYS'));
  if (e('WEBHOOK_TAGS_WITH_CLIENT_ID')) fromEnv.webhookTagsWithClientId = e('WEBHOOK_TAGS_WITH_CLIENT_ID') === '1';
  if (e('SESSION_HOURS')) fromEnv.sessionIdleMs = Number(e('SESSION_HOURS')) * 3600_000;
  if (e('OAUTH_CODE_TTL')) fromEnv.oauthCodeTtl = positive('OAUTH_CODE_TTL', e('OAUTH_CODE_TTL')!);
  if (e('OAUTH_ACCESS_TTL')) fromEnv.oauthAccessTtl = positive('OAUTH_ACCESS_TTL', e('OAUTH_ACCESS_TTL')!);
  if (e('OAUTH_REFRESH_TTL')) fromEnv.oauthRefreshTtl = positive('OAUTH_REFRESH_TTL', e('OAUTH_REFRESH_TTL')!);
  if (e('EVENT_RETRY_BASE_MS')) fromEnv.eventRetryBaseMs = positive('EVENT_RETRY_BASE_MS', e('EVENT_RETRY_BASE_MS')!);
  if (e('EVENT_MAX_ATTEMPTS')) fromEnv.eventMaxAttempts = positive('EVENT_MAX_ATTEMPTS', e('EVENT_MAX_ATTEMPTS')!);
  if (e('EVENT_TIMEOUT_MS')) fromEnv.eventTimeoutMs = positive('EVENT_TIMEOUT_MS', e('EVENT_TIMEOUT_MS')!);
  const merged = { ...fromEnv, ...overrides };
  const config = defaultConfig(merged);
  if (e('DATABASE_URL') && !overrides.databaseUrl) config.databaseUrl = e('DATABASE_URL')!;
  else if (!overrides.databaseUrl) config.databaseUrl = join(config.dataDir, 'notify24.db');
  return config;
}
