import type { OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { RestError } from '../errors/rest-error.ts';
import { envelopeJson } from '../rest/json-text.ts';
import { toXml } from './xml.ts';

type Headers = Record<string, string | number | string[]>;

/**
 * A body as written: text, bytes, or bytes in pieces (a kept page and its envelope), which go to
 * the socket as they are, in one write, instead of being copied into one buffer first.
 */
export type Body = string | Buffer | readonly Buffer[];

/** The body's length in bytes (its Content-Length). */
function byteLength(body: Body): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  let n = 0;
  for (const piece of body) n += piece.length;
  return n;
}

/** The body as one buffer (the rare paths that need it whole). */
export function bodyBytes(body: Body | null): Buffer {
  if (body === null) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.concat(body);
}

/**
 * What a route handler answers: status, headers and a body, or a stream that takes over the
 * response (server-sent events). Handlers build one with the helpers below (or return plain
 * data, which becomes `json`); `writeReply` is the only place a response is written.
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: Body | null,
    /** Writes the body and keeps the response open (SSE); called after the head is sent. */
    readonly open: ((res: ServerResponse) => void) | null = null,
    /** The catalog code this answer reports (access log, metrics); null for a success. */
    readonly error: string | null = null,
    /** Writes the whole response itself, head included, or none at all (injected faults). */
    readonly takeover: ((res: ServerResponse) => void) | null = null,
  ) {}
}

/** Headers the portal sends with every REST answer (and the OAuth token endpoint with its). */
export const PORTAL_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'origin, content-type, accept',
  'X-Content-Type-Options': 'nosniff',
};

/** Headers of every page and of the site's own JSON: nothing framed, nothing sniffed, no inline script. */
export const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; " +
    "connect-src 'self' ws: wss:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export type Format = 'json' | 'xml';

/** The portal's headers per format, built once (every REST answer carries one of them; never changed). */
const PORTAL_TYPED: Record<Format, Headers> = {
  json: Object.freeze({ ...PORTAL_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }),
  xml: Object.freeze({ ...PORTAL_HEADERS, 'Content-Type': 'text/xml; charset=utf-8' }),
};

/** An answer in the portal's envelope style: CORS headers, JSON or XML. */
export function portalReply(status: number, body: Record<string, unknown>, format: Format = 'json'): Reply {
  return new Reply(status, PORTAL_TYPED[format], format === 'xml' ? toXml(body) : envelopeJson(body));
}

/** An answer in the portal's JSON envelope, already written (`successJson`). */
export function portalJson(status: number, json: Body): Reply {
  return new Reply(status, PORTAL_TYPED.json, json);
}

/** An error in the portal's envelope (REST, OAuth token endpoint). */
export function portalError(err: RestError, format: Format = 'json'): Reply {
  return carrying(portalReply(err.status, err.body(), format), err);
}

/** `reply` marked as answering with `err`'s code. */
function carrying(reply: Reply, err: RestError): Reply {
  return new Reply(reply.status, reply.headers, reply.body, reply.open, err.code);
}

/** The site's own JSON (sign-in, console, probes): never cached. */
export function json(body: unknown, status = 200, headers: Headers = {}): Reply {
  return new Reply(status, { ...PAGE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers }, JSON.stringify(body));
}

/** An error of the site's own JSON endpoints: `{error, error_description}`. */
export function jsonError(err: RestError): Reply {
  return carrying(json(err.body(), err.status, err.headers), err);
}

/** An HTML page; `headers` may replace the default policy (the OAuth pages carry their own). */
export function html(text: string, status = 200, headers: Headers = {}): Reply {
  return new Reply(status, { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers }, text);
}

/** A file's bytes (static pages and assets). */
export function file(body: Buffer, type: string, cacheControl: string): Reply {
  return new Reply(200, { ...PAGE_HEADERS, 'Content-Type': type, 'Cache-Control': cacheControl }, body);
}

export function text(status: number, body: string, headers: Headers = {}): Reply {
  return new Reply(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body);
}

/** What an unknown path gets. */
export function notFound(): Reply {
  return text(404, 'Not found\n');
}

/** Sends the browser on (302 or 303), never cached; `headers` may add e.g. a Set-Cookie. */
export function redirect(status: 302 | 303, location: string, headers: Headers = {}): Reply {
  return new Reply(status, { Location: location, 'Cache-Control': 'no-store', ...headers }, null);
}

export function empty(status: number, headers: Headers = {}): Reply {
  return new Reply(status, headers, null);
}

/** A response that stays open: the head is sent, then `open` writes to it as long as it likes. */
export function stream(headers: Headers, open: (res: ServerResponse) => void): Reply {
  return new Reply(200, headers, null, open);
}

/** No answer at all: the connection is closed (a client sees a network error). */
export function droppedConnection(): Reply {
  return new Reply(0, {}, null, null, null, (res) => res.socket?.destroy());
}

/** `reply`'s head and the first half of its body, then the connection closes mid-answer. */
export function truncated(reply: Reply): Reply {
  return new Reply(reply.status, reply.headers, reply.body, null, reply.error, (res) => {
    const body = bodyBytes(reply.body);
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': body.length });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
  });
}

/** A frozen header set (the portal's) as a flat list, made once; others each time. */
const flatLists = new WeakMap<Headers, OutgoingHttpHeader[]>();
function flat(headers: Headers): OutgoingHttpHeader[] {
  const known = flatLists.get(headers);
  if (known) return known;
  const list: OutgoingHttpHeader[] = [];
  for (const name in headers) list.push(name, headers[name]!);
  if (Object.isFrozen(headers)) flatLists.set(headers, list);
  return list;
}

/**
 * Writes a reply after `lead` (header name, value, name, value, … the dispatcher's own, e.g.
 * `X-Request-Id`). A HEAD request gets the same status and headers (length included), no body.
 * WHY one `writeHead` with a flat list: headers set one by one (`setHeader`) are each stored,
 * validated and copied again when the head is written, a measurable share of a small answer.
 */
export function writeReply(res: ServerResponse, reply: Reply, head: boolean, lead: readonly string[] = []): void {
  if (reply.takeover) {
    for (let i = 0; i < lead.length; i += 2) res.setHeader(lead[i]!, lead[i + 1]!);
    return reply.takeover(res);
  }
  const headers: OutgoingHttpHeader[] = lead.slice();
  const own = flat(reply.headers);
  for (let i = 0; i < own.length; i++) headers.push(own[i]!);
  if (reply.open) {
    res.writeHead(reply.status, headers);
    if (head) res.end();
    else reply.open(res);
    return;
  }
  const body = reply.body;
  headers.push('Content-Length', body === null ? 0 : byteLength(body));
  res.writeHead(reply.status, headers);
  if (head || body === null) res.end();
  else if (typeof body === 'string' || Buffer.isBuffer(body)) res.end(body);
  else writePieces(res, body);
}

/** The pieces held back (corked) and handed to the socket together when `end` uncorks it. */
function writePieces(res: ServerResponse, pieces: readonly Buffer[]): void {
  if (pieces.length === 0) return void res.end();
  res.cork();
  for (let i = 0; i < pieces.length - 1; i++) res.write(pieces[i]);
  res.end(pieces[pieces.length - 1]);
}
