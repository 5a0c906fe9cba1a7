import { join, resolve } from 'node:path';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './lib/log.ts';
import { RATE_PROFILES, type BucketSettings } from './limits/rate-limiter.ts';
import { RATE_LIMIT_FAIL_MODES, type RateLimitFailMode } from './limits/fallback-rate-limiter.ts';
import { NETWORK_CLASSES, parseNetworks, type NetworkClass } from './lib/networks.ts';

/**
 * Every setting of the server, declared once: its `NOTIFY24_*` variable, how its value is
 * written, its default and what it does. The Config type, the loader and the README settings
 * table (`npm run docs:tables`, checked by a test) all come from this list.
 */
interface Setting<T> {
  env: `NOTIFY24_${string}`;
  /** How a value is written, as the README says it. */
  type: string;
  default: T;
  /** The default as the README shows it (markdown), when the value itself does not read well. */
  shown?: string;
  description: string;
  /** Text of the variable → value; throws `Error('expected …')` for anything else. */
  parse(text: string): T;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

// Value readers. Each throws with what it expected; the loader adds the variable and the value.
const expected = (what: string): never => {
  throw new Error(`expected ${what}`);
};
const text = (v: string): string => v;
const optionalText = (v: string): string | null => v;
function integer(min: number, max: number, what: string) {
  return (v: string): number => (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : expected(what));
}
const port = integer(0, 65_535, 'a port number from 0 to 65535');
const positiveInteger = integer(1, Number.MAX_SAFE_INTEGER, 'a whole number above 0');
function positive(v: string): number {
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) && n > 0 ? n : expected('a number above 0');
}
function boolean(v: string): boolean {
  const lower = v.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  return expected('1 or 0');
}
const orOff = <T>(parse: (v: string) => T) => (v: string): T | null => (v === 'off' ? null : parse(v));
function url(schemes: string[]) {
  return (v: string): string => {
    try {
      if (schemes.includes(new URL(v).protocol.replace(/:$/, ''))) return v;
    } catch {
      // reported below
    }
    return expected(`a ${schemes.join(' or ')} URL`);
  };
}
function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => ((values as readonly string[]).includes(v) ? (v as T) : expected(values.join(', ')));
}
const listed = (values: readonly string[]): string => values.map((v) => `\`${v}\``).join(', ');
function metricsPort(v: string): number | 'main' | null {
  if (v === 'main') return 'main';
  if (v === 'off') return null;
  try {
    return port(v);
  } catch {
    return expected('main, off or a port number');
  }
}
function rateLimit(v: string): BucketSettings | null {
  if (v === 'off' || v === '0') return null;
  if (Object.hasOwn(RATE_PROFILES, v)) return RATE_PROFILES[v]!;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
  return m && Number(m[2]) > 0 ? { burst: Number(m[1]), drain: Number(m[2]) } : expected('off, standard, enterprise or BURST/DRAIN');
}
/** The portal's self-hosted default once the operating-time limit is switched on. */
export const DEFAULT_OPERATING_LIMIT = 420;
function operatingLimit(v: string): number | null {
  if (v === 'off' || v === '0') return null;
  if (v === 'on') return DEFAULT_OPERATING_LIMIT;
  return positive(v);
}
const hoursAsMs = (v: string): number => positive(v) * 3_600_000;
const HOUR_MS = 3_600_000;

export const SETTINGS = {
  // Listeners
  host: setting({ env: 'NOTIFY24_HOST', type: 'address', default: '127.0.0.1', description: 'listen address (`0.0.0.0` for all interfaces)', parse: text }),
  port: setting({ env: 'NOTIFY24_PORT', type: 'port', default: 8080, description: 'HTTP port; `0` picks a free one', parse: port }),
  httpsPort: setting<number | null>({ env: 'NOTIFY24_HTTPS_PORT', type: 'port or `off`', default: 8443, description: 'HTTPS port; `0` picks a free one, `off` disables HTTPS', parse: orOff(port) }),
  tlsCertFile: setting<string | null>({ env: 'NOTIFY24_TLS_CERT', type: 'path', default: null, shown: 'generated', description: 'PEM certificate for HTTPS; without it (and `NOTIFY24_TLS_KEY`) a self-signed pair is generated in the data folder', parse: optionalText }),
  tlsKeyFile: setting<string | null>({ env: 'NOTIFY24_TLS_KEY', type: 'path', default: null, shown: 'generated', description: 'PEM private key for HTTPS', parse: optionalText }),
  publicUrl: setting<string | null>({ env: 'NOTIFY24_PUBLIC_URL', type: 'URL', default: null, description: 'base URL printed in webhook URLs and returned to OAuth clients (behind a proxy)', parse: url(['http', 'https']) }),
  trustProxy: setting({ env: 'NOTIFY24_TRUST_PROXY', type: 'boolean', default: false, description: '`1` behind a load balancer: the client address comes from `X-Forwarded-For`', parse: boolean }),
  bodyLimit: setting({ env: 'NOTIFY24_BODY_LIMIT', type: 'bytes', default: 8 * 1024 * 1024, description: 'largest request body', parse: positiveInteger }),
  maxHeaderSize: setting({ env: 'NOTIFY24_MAX_HEADER_SIZE', type: 'bytes', default: 256 * 1024, description: "largest request head (long GET batches need more than Node's 16 KiB)", parse: positiveInteger }),
  // Storage and several nodes
  dataDir: setting({ env: 'NOTIFY24_DATA_DIR', type: 'path', default: 'data', shown: '`./data`', description: 'SQLite file, certificate, first-start webhook', parse: text }),
  databaseUrl: setting({ env: 'NOTIFY24_DATABASE_URL', type: 'path or URL', default: '', shown: '`<data>/notify24.db`', description: 'SQLite file path, or `postgres://user@host:5432/db` (docs/deploy.md)', parse: text }),
  redisUrl: setting<string | null>({ env: 'NOTIFY24_REDIS_URL', type: 'URL', default: null, description: 'rate-limit buckets, live push, sign-in throttle and operating time shared by several nodes', parse: url(['redis', 'rediss']) }),
  redisTimeoutMs: setting({ env: 'NOTIFY24_REDIS_TIMEOUT_MS', type: 'ms', default: 500, description: 'longest wait for a Redis command (rate limit, publish); while Redis is unreachable commands fail at once', parse: positive }),
  redisPrefix: setting({ env: 'NOTIFY24_REDIS_PREFIX', type: 'text', default: 'notify24:', description: 'start of every Redis key and channel', parse: text }),
  // Bitrix24 behaviour
  webhookRequiresHttps: setting({ env: 'NOTIFY24_WEBHOOK_REQUIRES_HTTPS', type: 'boolean', default: false, description: '`1` refuses webhooks over plain HTTP (`INVALID_REQUEST`), as the portal does', parse: boolean }),
  webhookTagsWithClientId: setting({ env: 'NOTIFY24_WEBHOOK_TAGS_WITH_CLIENT_ID', type: 'boolean', default: false, description: '`1` lets webhooks set `TAG`/`SUB_TAG` with `CLIENT_ID` (the documented behaviour; the portal drops them)', parse: boolean }),
  rateLimit: setting<BucketSettings | null>({ env: 'NOTIFY24_RATE_LIMIT', type: 'profile', default: RATE_PROFILES.standard!, shown: '`standard`', description: 'leaky bucket per source address: `standard` (50, drains 2/s), `enterprise` (250, 5/s), `BURST/DRAIN`, or `off` (docs/limits.md)', parse: rateLimit }),
  rateLimitFailMode: setting<RateLimitFailMode>({ env: 'NOTIFY24_RATE_LIMIT_FAIL', type: listed(RATE_LIMIT_FAIL_MODES), default: 'open', description: 'when the shared buckets in Redis cannot be reached: `open` counts in this node\'s own buckets until Redis is back, `closed` refuses every REST call with 503 `SERVICE_UNAVAILABLE` (docs/limits.md)', parse: oneOf(RATE_LIMIT_FAIL_MODES) }),
  operatingLimit: setting<number | null>({ env: 'NOTIFY24_OPERATING_LIMIT', type: 'seconds or `on`/`off`', default: null, shown: '`off`', description: `operating-time limit per caller and method, seconds per 10 minutes (\`on\` = ${DEFAULT_OPERATING_LIMIT})`, parse: operatingLimit }),
  retentionDays: setting({ env: 'NOTIFY24_RETENTION_DAYS', type: 'days', default: 60, description: 'notifications (and finished event deliveries) older than this are deleted, as on the portal', parse: positive }),
  // Web sessions and OAuth
  sessionIdleMs: setting({ env: 'NOTIFY24_SESSION_HOURS', type: 'hours', default: 12 * HOUR_MS, shown: '`12`', description: 'a web session ends after this long without use', parse: hoursAsMs }),
  oauthCodeTtl: setting({ env: 'NOTIFY24_OAUTH_CODE_TTL', type: 'seconds', default: 30, description: 'lifetime of an OAuth authorization code (docs/apps.md)', parse: positive }),
  oauthAccessTtl: setting({ env: 'NOTIFY24_OAUTH_ACCESS_TTL', type: 'seconds', default: 3600, description: 'lifetime of an OAuth access token (`expires_in`)', parse: positive }),
  oauthRefreshTtl: setting({ env: 'NOTIFY24_OAUTH_REFRESH_TTL', type: 'seconds', default: 180 * 86_400, description: 'lifetime of an OAuth refresh token', parse: positive }),
  // Push channel of the web page (src/realtime/fanout.ts)
  acceptor: setting({ env: 'NOTIFY24_ACCEPTOR', type: 'boolean', default: false, description: '`1`: `notify24 serve` runs a small process that only accepts connections and hands them to the server process, so fresh connections get in at once while the server is busy (docs/performance.md)', parse: boolean }),
  pushSlowBytes: setting({ env: 'NOTIFY24_PUSH_SLOW_BYTES', type: 'bytes', default: 256 * 1024, shown: '`262144`', description: 'a push connection holding more unsent bytes than this is skipped until it drains, then catches up from the replay buffer', parse: positiveInteger }),
  pushGapMs: setting({ env: 'NOTIFY24_PUSH_GAP_MS', type: 'ms', default: 20, description: 'a user\'s pages are written to at most once per this long: messages that come sooner wait and go out together, one write per page (fewer system calls under load; `0`: every message at once)', parse: integer(0, 10_000, 'a whole number of milliseconds from 0 to 10000') }),
  pushSlowMessages: setting({ env: 'NOTIFY24_PUSH_SLOW_MESSAGES', type: 'count', default: 100, description: 'a skipped push connection that misses more messages than this, or stays skipped 10 s, is closed (WebSocket code 4008) and resumes when it reconnects', parse: positiveInteger }),
  // Event delivery to applications
  eventRetryBaseMs: setting({ env: 'NOTIFY24_EVENT_RETRY_BASE_MS', type: 'ms', default: 10_000, description: 'first retry of a failed event delivery; each next one waits twice as long (at most an hour)', parse: positive }),
  eventMaxAttempts: setting({ env: 'NOTIFY24_EVENT_MAX_ATTEMPTS', type: 'count', default: 8, description: 'attempts before a delivery is given up', parse: positiveInteger }),
  handlerNetworks: setting<NetworkClass[]>({ env: 'NOTIFY24_HANDLER_NETWORKS', type: listed(NETWORK_CLASSES), default: ['public', 'private'], shown: '`public,private`', description: 'networks event handlers and Web Push endpoints may be on, comma-separated; **add `loopback` for handlers on this machine** (`public,private,loopback`). Checked at `event.bind` and on the address each delivery or push connects to; link-local (cloud metadata at 169.254.169.254) only when listed; unspecified, multicast and reserved addresses never (docs/apps.md)', parse: parseNetworks }),
  eventTimeoutMs: setting({ env: 'NOTIFY24_EVENT_TIMEOUT_MS', type: 'ms', default: 10_000, description: 'how long one delivery POST may take', parse: positive }),
  // E-mail for unread notifications (docs/delivery.md)
  smtpUrl: setting<string | null>({ env: 'NOTIFY24_SMTP_URL', type: 'URL', default: null, description: '`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`; without it no mail is sent and the outbox only renders them. A URL that cannot be used is logged at start and each mail is marked failed (never a crash)', parse: text }),
  mailFrom: setting({ env: 'NOTIFY24_MAIL_FROM', type: 'address', default: 'notify24 <notify24@localhost>', description: 'the `From` of every mail', parse: text }),
  mailDelayS: setting({ env: 'NOTIFY24_MAIL_DELAY_S', type: 'seconds', default: 600, description: 'a notification still unread this long after it arrived is mailed (the portal\'s delay)', parse: integer(0, 365 * 86_400, 'a whole number of seconds') }),
  mailRetryBaseMs: setting({ env: 'NOTIFY24_MAIL_RETRY_BASE_MS', type: 'ms', default: 60_000, description: 'first retry after the SMTP server failed; each next one waits twice as long (at most an hour)', parse: positive }),
  mailMaxAttempts: setting({ env: 'NOTIFY24_MAIL_MAX_ATTEMPTS', type: 'count', default: 8, description: 'attempts before a mail is marked failed', parse: positiveInteger }),
  // Web Push to browsers (docs/delivery.md)
  pushSubject: setting<string | null>({ env: 'NOTIFY24_PUSH_SUBJECT', type: 'URL', default: null, shown: 'public URL', description: 'contact sent to push services with every push (VAPID `sub`): a `mailto:` or `https:` URL; by default the public URL when it is https, else `mailto:postmaster@localhost`', parse: url(['mailto', 'https']) }),
  pushTtlS: setting({ env: 'NOTIFY24_PUSH_TTL', type: 'seconds', default: 86_400, description: 'how long a push service keeps a push for a browser that is offline', parse: integer(0, 2_419_200, 'seconds from 0 to 2419200') }),
  pushInsecureEndpoints: setting({ env: 'NOTIFY24_PUSH_INSECURE_ENDPOINTS', type: 'boolean', default: false, description: '`1` accepts `http://` push endpoints (local test push services only; real ones are https)', parse: boolean }),
  // Background jobs (src/jobs/): how often each runs; each also runs once at start
  eventPollMs: setting({ env: 'NOTIFY24_EVENT_POLL_MS', type: 'ms', default: 1000, description: 'event delivery job: looks for due deliveries (queued by other nodes, retries); runs at once when this node queues one', parse: positive }),
  mailPollMs: setting({ env: 'NOTIFY24_MAIL_POLL_MS', type: 'ms', default: 15_000, description: 'e-mail job: mails what became due; everything due for one user in one run goes out as one digest', parse: positive }),
  pushPollMs: setting({ env: 'NOTIFY24_PUSH_POLL_MS', type: 'ms', default: 5000, description: 'web push job: looks for due pushes (retries, pushes held by do-not-disturb, other nodes\' queue); runs at once when this node queues one', parse: positive }),
  retentionPurgeMs: setting({ env: 'NOTIFY24_RETENTION_PURGE_MS', type: 'ms', default: HOUR_MS, description: 'retention job: deletes notifications and finished event deliveries past `NOTIFY24_RETENTION_DAYS`', parse: positive }),
  sessionPurgeMs: setting({ env: 'NOTIFY24_SESSION_PURGE_MS', type: 'ms', default: HOUR_MS, description: 'session purge job: deletes expired web sessions (already refused; this reclaims the rows)', parse: positive }),
  oauthPurgeMs: setting({ env: 'NOTIFY24_OAUTH_PURGE_MS', type: 'ms', default: HOUR_MS, description: 'OAuth purge job: deletes expired authorization codes and tokens', parse: positive }),
  // Integration tests (docs/testing-with-notify24.md)
  testMode: setting({ env: 'NOTIFY24_TEST_MODE', type: 'boolean', default: false, description: '`1` makes a server for integration tests: administrators may inject faults and move its clock (`/console/api/faults`, `/console/api/clock`, `notify24 fault`, `notify24 clock`); never on in production', parse: boolean }),
  // Operations: logs, metrics, shutdown (docs/operations.md)
  logLevel: setting<LogLevel>({ env: 'NOTIFY24_LOG_LEVEL', type: listed(LOG_LEVELS), default: 'info', description: 'least important log line written (to stderr; `info` includes one line per request)', parse: oneOf(LOG_LEVELS) }),
  logFormat: setting<LogFormat>({ env: 'NOTIFY24_LOG_FORMAT', type: listed(LOG_FORMATS), default: 'auto', description: 'JSON lines, or readable lines; `auto` is readable when stderr is a terminal', parse: oneOf(LOG_FORMATS) }),
  metricsPort: setting<number | 'main' | null>({ env: 'NOTIFY24_METRICS_PORT', type: '`main`, `off` or port', default: 'main', description: 'Prometheus metrics at `/metrics`: on the HTTP port, off, or on a port of their own', parse: metricsPort }),
  metricsToken: setting<string | null>({ env: 'NOTIFY24_METRICS_TOKEN', type: 'text', default: null, description: 'when set, `/metrics` answers only `Authorization: Bearer <token>`', parse: optionalText }),
  shutdownTimeoutMs: setting({ env: 'NOTIFY24_SHUTDOWN_TIMEOUT_MS', type: 'ms', default: 10_000, description: 'on SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are closed', parse: positive }),
};

type Settings = typeof SETTINGS;

/** Everything the server can be told: one field per declared setting. */
export type Config = { [K in keyof Settings]: Settings[K]['default'] };

/** The defaults with `overrides` on top; paths resolved, the database inside the data folder unless named. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const defaults = Object.fromEntries(Object.entries(SETTINGS).map(([key, s]) => [key, s.default])) as Config;
  const config: Config = { ...defaults, ...overrides };
  config.dataDir = resolve(config.dataDir);
  if (!config.databaseUrl) config.databaseUrl = join(config.dataDir, 'notify24.db');
  return config;
}

/**
 * Reads one value as setting `key` does, or throws an error naming `name` (the variable, or
 * a command-line flag) and the value refused.
 */
export function parseSetting<K extends keyof Config>(key: K, value: string, name: string = SETTINGS[key].env): Config[K] {
  try {
    return SETTINGS[key].parse(value) as Config[K];
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}, got "${value}"`);
  }
}

/**
 * The configuration from `NOTIFY24_*` variables (empty ones count as unset) with `overrides`
 * (command-line flags) on top. Every variable is checked; the error lists each bad one.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of Object.keys(SETTINGS) as (keyof Config)[]) {
    const value = env[SETTINGS[key].env];
    if (value === undefined || value === '') continue;
    try {
      fromEnv[key] = parseSetting(key, value);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);
  return defaultConfig({ ...(fromEnv as Partial<Config>), ...overrides });
}

/** The README's settings table, one row per setting in declaration order. */
export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map((s: Setting<unknown>) => {
    const value = typeof s.default === 'boolean' ? Number(s.default) : s.default;
    const shown = s.shown ?? (value === null ? '—' : `\`${String(value)}\``);
    return `| \`${s.env}\` | ${s.type} | ${shown} | ${s.description} |`;
  });
  return ['| variable | value | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
