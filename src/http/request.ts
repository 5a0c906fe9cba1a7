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
  url: URL;
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
  const host = req.headers.host ?? 'localhost';
  return { ip: clientIp(req, trustProxy), secure, origin: `${secure ? 'https' : 'http'}://${host}` };
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
