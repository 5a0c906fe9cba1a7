import pino from 'pino';

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

function adapt(p: pino.Logger): Logger {
  // pino takes (data, msg); ours is (msg, data), the order call sites read best in.
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, data?: LogData) => {
    if (data) p[level](data, msg);
    else p[level](msg);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** JSON lines: `{"level":"info","time":"…","pid":…,"hostname":"…","msg":"…",…data}`; an `err` is serialised with its stack. */
export function createLogger(level: LogLevel = 'info', destination: LogDestination = pino.destination({ fd: 2, sync: true })): Logger {
  return adapt(
    pino(
      {
        level,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    ),
  );
}

/** The logger `serve` uses: JSON, or pretty (pino-pretty is loaded only then). */
export async function openLogger(level: LogLevel, format: LogFormat, isTty: boolean = process.stderr.isTTY === true): Promise<Logger> {
  if (format === 'json' || (format === 'auto' && !isTty)) return createLogger(level);
  const { default: pretty } = await import('pino-pretty');
  const stream = pretty({ destination: 2, sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return adapt(pino({ level }, stream));
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
