import type * as Pino from 'pino';
import type PinoPretty from 'pino-pretty';
import { lazyRequire } from './lazy-require.ts';

/**
 * The server's logger: pino, one JSON object per line on stderr (stdout carries the start
 * banner), or pino-pretty's readable lines when stderr is a terminal. Modules see only the
 * narrow `Logger` interface (usually `Pick<Logger, 'warn'>`), so they never depend on pino.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto`: pretty when stderr is a terminal, JSON otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogData = Record<string, unknown>;

export interface Logger {
  debug(msg: string, data?: LogData): void;
  info(msg: string, data?: LogData): void;
  warn(msg: string, data?: LogData): void;
  error(msg: string, data?: LogData): void;
}

/** Where lines go: anything with `write(line)` (a test collects them in an array). */
export interface LogDestination {
  write(line: string): unknown;
}

type Level = Exclude<LogLevel, 'silent'>;

// WHY require: pino is about a seventh of a cold start and nothing logs before the server
// listens. Loading it synchronously at the first line (or at `preloadLogging`, soon after
// listening) keeps it off the start's path without ever buffering or losing a line.
const pino = lazyRequire<typeof Pino.default>('pino');
const pinoPretty = lazyRequire<typeof PinoPretty>('pino-pretty');

/** Loads pino now (the server calls it once it listens, so the first request does not pay). */
export function preloadLogging(): void {
  pino();
}

function lazy(build: () => Pino.Logger): Logger {
  let instance: Pino.Logger | null = null;
  const at = (level: Level) => (msg: string, data?: LogData) => {
    const p = (instance ??= build());
    // pino takes (data, msg); ours is (msg, data), the order call sites read best in.
    if (data) p[level](data, msg);
    else p[level](msg);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Whether `log` drops every line (NOTIFY24_LOG_LEVEL=silent): callers may skip building them. */
export function isSilent(log: object): boolean {
  return log === silent;
}

/** JSON lines: `{"level":"info","time":"…","pid":…,"hostname":"…",…data,"msg":"…"}`; an `err` is serialised with its stack. */
export function createLogger(level: LogLevel = 'info', destination?: LogDestination): Logger {
  if (level === 'silent') return silent;
  return lazy(() => {
    const p = pino();
    return p(
      { level, timestamp: p.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      destination ?? p.destination({ fd: 2, sync: true }),
    );
  });
}

/** Fields of the access line, which the pretty format folds into one line. */
const ACCESS_FIELDS = ['request_id', 'method', 'path', 'status', 'ms', 'caller', 'rest_method', 'error', 'ip'];

/**
 * A pretty line's text: an access line as `GET /rest/server.time 200 2.1 ms server.time by session 127.0.0.1 #<id>`,
 * any other as its message with those fields it carries as `key=value` (other data follows below it).
 */
export function prettyMessage(log: LogData): string {
  if (log.msg === 'request') {
    const extra = [log.rest_method, log.caller && `by ${log.caller}`, log.error].filter(Boolean).join(' ');
    return `${log.method} ${log.path} ${log.status} ${log.ms} ms${extra ? ` ${extra}` : ''} ${log.ip} #${log.request_id}`;
  }
  return [log.msg, ...ACCESS_FIELDS.filter((k) => log[k] !== undefined).map((k) => `${k}=${log[k]}`)].join(' ');
}

/** The logger `serve` uses: JSON, or pretty (pino-pretty is loaded only then). */
export function openLogger(level: LogLevel, format: LogFormat, isTty: boolean = process.stderr.isTTY === true): Logger {
  if (level === 'silent' || format === 'json' || (format === 'auto' && !isTty)) return createLogger(level);
  return lazy(() => {
    const pretty = pinoPretty();
    const stream = pretty({
      destination: 2,
      sync: true,
      colorize: isTty,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: ['pid', 'hostname', ...ACCESS_FIELDS].join(','),
      messageFormat: (log) => prettyMessage(log),
    });
    return pino()({ level }, stream);
  });
}

/** `log` with `fields` added to every line (the request id of the request being answered). */
export function tagged<L extends Partial<Logger>>(log: L, fields: LogData): L {
  const out: Partial<Logger> = {};
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const write = log[level];
    if (write) out[level] = (msg, data) => write.call(log, msg, data ? { ...fields, ...data } : fields);
  }
  return out as L;
}
