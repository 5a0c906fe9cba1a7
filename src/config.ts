import { join, resolve } from 'node:path';
import type { LogLevel } from './lib/log.ts';
import { RATE_PROFILES, type BucketSettings } from './limits/rate-limiter.ts';

/** Everything the server can be told, with every default in one place. */
export interface Config {
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
  /** Leaky bucket per caller; null switches it off. */
  rateLimit: BucketSettings | null;
  /** Operating-time limit per caller and method, seconds per 10 minutes; null = off. */
  operatingLimit: number | null;
  logLevel: LogLevel;
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
    logLevel: 'info',
    ...overrides,
  };
}

function parseRateLimit(value: string): BucketSettings | null {
  if (value === 'off' || value === '0') return null;
  const profile = RATE_PROFILES[value];
  if (profile) return profile;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new Error(`NOTIFY24_RATE_LIMIT: expected off, standard, enterprise or BURST/DRAIN, got "${value}"`);
  return { burst: Number(m[1]), drain: Number(m[2]) };
}

function parseOptionalPort(value: string): number | null {
  return value === 'off' ? null : Number(value);
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
  if (e('OPERATING_LIMIT')) fromEnv.operatingLimit = e('OPERATING_LIMIT') === 'off' ? null : Number(e('OPERATING_LIMIT'));
  if (e('LOG_LEVEL')) fromEnv.logLevel = e('LOG_LEVEL') as LogLevel;
  const merged = { ...fromEnv, ...overrides };
  const config = defaultConfig(merged);
  if (e('DATABASE_URL') && !overrides.databaseUrl) config.databaseUrl = e('DATABASE_URL')!;
  else if (!overrides.databaseUrl) config.databaseUrl = join(config.dataDir, 'notify24.db');
  return config;
}
