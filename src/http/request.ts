import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestInfo } from '../rest/method.ts';

/** A request as route handlers see it: the parsed URL, the pattern's parameters, who is calling. */
export interface HttpRequest {
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
