import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestInfo } from '../rest/method.ts';

/** What a handler learned that the access log and the metrics want; handlers fill it in. */
export interface RequestNotes {
  /** The REST method called, as registered (`unknown` until it is found). */
  restMethod?: string;
  /** How the caller was identified: `webhook`, `oauth`, `session`. */
  caller?: string;
}

/** A request as route handlers see it: the parsed URL, the pattern's parameters, who is calling. */
export interface HttpRequest {
  /** The request id (`X-Request-Id`): in the response headers and in every log line about it. */
  id: string;
  notes: RequestNotes;
  method: string;
  /** The target's path and query (`?…`, or '') exactly as `url` reads them. */
  pathname: string;
  search: string;
  /** The whole target parsed (made on first use). */
  readonly url: URL;
  /** Values of the route pattern's `:name` segments. */
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Arrived on the HTTPS listener. */
  secure: boolean;
  /** The caller's address (see clientIp). */
  ip: string;
  /** `http(s)://host:port` as the client addressed us. */
  origin: string;
  /** The Node request, for reading the body (http/body.ts). */
  raw: IncomingMessage;
}

/** What a request is besides its target and route parameters. */
export type RequestBase = Omit<HttpRequest, 'url' | 'pathname' | 'search' | 'params' | 'raw'>;

/** A request target as `new URL(target, base)` reads it, parsed only when a handler wants more than path and query. */
export class IncomingRequest implements HttpRequest {
  readonly id: string;
  readonly notes: RequestNotes;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly secure: boolean;
  readonly ip: string;
  readonly origin: string;
  private parsed: URL | null = null;

  constructor(
    base: RequestBase,
    readonly pathname: string,
    readonly search: string,
    readonly params: Record<string, string>,
    readonly raw: IncomingMessage,
  ) {
    this.id = base.id;
    this.notes = base.notes;
    this.method = base.method;
    this.headers = base.headers;
    this.secure = base.secure;
    this.ip = base.ip;
    this.origin = base.origin;
  }

  get url(): URL {
    return (this.parsed ??= targetUrl(this.raw.url));
  }
}

export function targetUrl(target: string | undefined): URL {
  return new URL(target ?? '/', 'http://localhost');
}

/**
 * Targets `new URL` keeps exactly as sent: a path from the root (not `//`, which would name a
 * host), of characters that are neither escaped nor dropped in the path or query, with no dot
 * segment to resolve (`/.`, `%2e` anywhere sends a target the long way) and no fragment.
 */
const PLAIN_TARGET = /^\/(?!\/)[\w\-.~!$&()*+,;=:@\/%?[\]|^]*$/;
const DOT_SEGMENT = /\/\.|%2e/i;

/**
 * The target's path and query as `new URL(target, 'http://localhost')` gives them (`search` is
 * '' for no query or a bare `?`). WHY: parsing a URL is a visible share of a small REST call,
 * and most targets are plain; others still go through `URL`.
 */
export function splitTarget(target: string | undefined): { pathname: string; search: string } {
  if (target === undefined || !PLAIN_TARGET.test(target) || DOT_SEGMENT.test(target)) {
    const url = targetUrl(target);
    return { pathname: url.pathname, search: url.search };
  }
  const q = target.indexOf('?');
  if (q < 0) return { pathname: target, search: '' };
  return { pathname: target.slice(0, q), search: q === target.length - 1 ? '' : target.slice(q) };
}

/** An id a proxy or client may set: short, and nothing that could break a log line. */
const SANE_REQUEST_ID = /^[\w.:@+=\/-]{1,128}$/;

/** The caller's `X-Request-Id` when sane, else a new one. */
export function requestId(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The caller's address: the socket's, or the proxy's word for it when the proxy is trusted. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || '';
}

export function requestInfo(req: IncomingMessage, secure: boolean, trustProxy = false): RequestInfo {
  return { ip: clientIp(req, trustProxy), secure, origin: originOf(secure, req.headers.host ?? 'localhost') };
}

/** The last origins made, per scheme: a client keeps sending the same `Host`, so most requests reuse one. */
const lastOrigin = { http: { host: '', origin: '' }, https: { host: '', origin: '' } };

function originOf(secure: boolean, host: string): string {
  const last = secure ? lastOrigin.https : lastOrigin.http;
  if (last.host !== host) {
    last.origin = `${secure ? 'https' : 'http'}://${host}`;
    last.host = host;
  }
  return last.origin;
}

/**
 * A page may only open the push channel from our own origin: the session cookie would otherwise
 * be sent by any site the user visits (cross-site WebSocket hijacking).
 */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (!origin) return true; // non-browser clients send none; the cookie still has to be valid
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
