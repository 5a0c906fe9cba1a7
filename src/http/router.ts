import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Reply } from './reply.ts';
import type { HttpRequest } from './request.ts';

/** A route handler: returns a Reply (or plain data, answered as JSON) or throws a RestError. */
export type Handler = (req: HttpRequest) => Reply | unknown | Promise<Reply | unknown>;

/** Takes over a connection that asks to upgrade (WebSocket). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void | Promise<void>;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * One line of the route table. Patterns: literal segments, `:name` (one segment, given to the
 * handler in `req.params`), a final `/?` (optional trailing slash) or a final `*` (anything).
 * `ANY` matches every method; GET lines also answer HEAD.
 */
export type Route = [Method | 'ANY', string, Handler] | ['UPGRADE', string, UpgradeHandler];

interface Compiled {
  method: Route[0];
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler | UpgradeHandler;
}

export type Match =
  | { kind: 'handler'; handler: Handler; params: Record<string, string>; pattern: string }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

function compile(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let source = pattern.replace(/[.+?^${}()|[\]\\]/g, (c) => (c === '?' ? c : `\\${c}`));
  const optionalSlash = source.endsWith('/?');
  if (optionalSlash) source = source.slice(0, -2);
  const anything = source.endsWith('*');
  if (anything) source = source.slice(0, -1);
  source = source.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}${optionalSlash ? '/?' : ''}${anything ? '.*' : ''}$`), names };
}

/** What a pattern without `:name` segments gives every request. */
const NO_PARAMS: Record<string, string> = Object.freeze({});

/** The `:name` values, decoded; null when one is not valid percent-encoding. */
function paramsOf(names: string[], m: RegExpExecArray): Record<string, string> | null {
  if (names.length === 0) return NO_PARAMS;
  const params: Record<string, string> = {};
  try {
    names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
  } catch {
    return null;
  }
  return params;
}

/** Finds the line for a request: the first whose pattern and method both match. */
export class Router {
  private readonly routes: Compiled[];

  constructor(table: Route[]) {
    this.routes = table.map(([method, pattern, handler]) => ({ method, pattern, handler, ...compile(pattern) }));
  }

  find(method: string, pathname: string): Match {
    let allow: Set<string> | null = null;
    for (const route of this.routes) {
      if (route.method === 'UPGRADE') continue;
      const m = route.regex.exec(pathname);
      if (!m) continue;
      if (route.method === 'ANY' || route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        const params = paramsOf(route.names, m);
        if (!params) continue;
        return { kind: 'handler', handler: route.handler as Handler, params, pattern: route.pattern };
      }
      // A line for every path (the CORS preflight) does not make a path known.
      if (route.pattern === '/*') continue;
      allow ??= new Set<string>();
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    return allow ? { kind: 'wrong-method', allow: [...allow] } : { kind: 'none' };
  }

  findUpgrade(pathname: string): UpgradeHandler | null {
    const route = this.routes.find((r) => r.method === 'UPGRADE' && r.regex.test(pathname));
    return route ? (route.handler as UpgradeHandler) : null;
  }
}
