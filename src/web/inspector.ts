import type { IncomingHttpHeaders } from 'node:http';
import { toRestError } from '../errors/rest.ts';
import { safeTarget } from '../observability/redact.ts';
import { plainValue } from '../rest/json-text.ts';

/** One REST call as the console lists it. */
export interface InspectedCall {
  seq: number;
  at: number;
  method: string;
  /** `webhook`, `oauth`, `session`, or null when authentication failed. */
  auth: string | null;
  userId: number | null;
  /** The HTTP status it was answered with. */
  status: number;
  params: unknown;
  result?: unknown;
  error?: { error: string; error_description: string };
  /** Set when an injected fault answered instead of the server (`fault #1: QUERY_LIMIT_EXCEEDED`). */
  fault?: string;
  durationMs: number;
}

/** A call opened in the console's detail view: the list's fields and how it came. */
export interface InspectedDetail extends InspectedCall {
  httpMethod: string;
  /** Path and query with credentials replaced by `***`. */
  target: string;
  /** Request headers; credentials (cookie, authorization, tokens) replaced by `***`. */
  headers: Record<string, string>;
  /** The same call as a curl command, credentials as `<PLACEHOLDER>`s to fill in. */
  curl: string;
}

/** How the call came over HTTP, as the REST edge saw it. */
export interface RestCallRequest {
  httpMethod: string;
  /** Path and query as sent (credentials included: masked only when shown). */
  target: string;
  /** `http(s)://host:port` as the caller addressed us. */
  origin: string;
  headers: IncomingHttpHeaders;
}

/** What the REST edge knows about a call when it ends. */
export interface RestCallTrace {
  method: string;
  params: unknown;
  caller: { kind: string; userId: number } | null;
  request?: RestCallRequest;
  result?: unknown;
  error?: unknown;
  /** What an injected fault did to this call. */
  fault?: string;
}

type Listener = (call: InspectedCall) => void;

/** A call as recorded: the raw trace, and its masked form once somebody has looked. */
interface Recorded {
  seq: number;
  startMs: number;
  durationMs: number;
  trace: RestCallTrace;
  shown?: InspectedCall;
}

/** Keys whose values never leave the server, at any depth: credentials of every kind. */
const SECRET_KEY = /pass|token|secret|code|^auth$|sessid|key|signature|^ap$/i;
/** Request headers that carry credentials. */
const SECRET_HEADER = /cookie|authorization|token|secret|sessid|signature|key|password/i;
const MAX_TEXT = 2000;

/** A copy of `value` with each credential replaced by `secret(key)` and strings longer than `maxText` cut. */
function replaceSecrets(value: unknown, secret: (key: string) => unknown, maxText: number, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof value === 'string') return value.length > maxText ? `${value.slice(0, maxText)}…` : value;
  if (Array.isArray(value)) return value.map((v) => replaceSecrets(v, secret, maxText, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? secret(k) : replaceSecrets(v, secret, maxText, depth + 1);
    return out;
  }
  return value;
}

/** A copy of `value` with credential values replaced and long strings cut (the page stays light). */
export function maskSecrets(value: unknown): unknown {
  return replaceSecrets(value, () => '***', MAX_TEXT);
}

const placeholder = (name: string) => `<${name.replace(/[^\w]+/g, '_').toUpperCase()}>`;

/** `'…'` for a POSIX shell. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The call as a curl command. Decision: credentials are never copied out, not even masked as
 * `***` (a command that runs and fails on them would mislead): each becomes a named placeholder
 * — `<WEBHOOK_CODE>` in the path, `<ACCESS_TOKEN>` for OAuth, `<SESSID>` and
 * `<SESSION_COOKIE>` for the page's session, `<CLIENT_SECRET>` and the like in parameters —
 * which the integrator replaces with their own. Parameters go as a JSON body (query parameters
 * included: the server merges both).
 */
export function curlOf(trace: RestCallTrace): string {
  const req = trace.request;
  const path = (req ? safeTarget(req.target.split('?')[0]!) : `/rest/${trace.method}.json`).replace(/\/\*\*\*\//g, '/<WEBHOOK_CODE>/');
  const body = { ...(replaceSecrets(trace.params ?? {}, placeholder, Infinity) as Record<string, unknown>) };
  const headers = ['Content-Type: application/json'];
  if (trace.caller?.kind === 'oauth') body.auth = '<ACCESS_TOKEN>';
  if (trace.caller?.kind === 'session') {
    body.sessid = '<SESSID>';
    headers.push('Cookie: notify24_session=<SESSION_COOKIE>');
  }
  const parts = ['curl', '-sS', '-X', 'POST', shellQuote(`${req?.origin ?? 'http://127.0.0.1:8080'}${path}`)];
  for (const h of headers) parts.push('-H', shellQuote(h));
  parts.push('-d', shellQuote(JSON.stringify(body)));
  return parts.join(' ');
}

function maskHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADER.test(name) ? '***' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The last N REST calls, kept in memory and streamed to admins' consoles. Masking and cutting
 * happen only when someone looks (a console lists or streams them): most calls are never shown,
 * and copying every call's parameters and result cost a measurable share of each request.
 */
export class RequestInspector {
  private readonly calls: Recorded[] = [];
  private readonly listeners = new Set<Listener>();
  private seq = 0;

  constructor(readonly capacity = 200) {}

  record(trace: RestCallTrace, startMs: number, now: number): void {
    const entry: Recorded = { trace, startMs, durationMs: now - startMs, seq: ++this.seq };
    this.calls.push(entry);
    if (this.calls.length > this.capacity) this.calls.shift();
    if (this.listeners.size === 0) return;
    const call = this.shown(entry);
    for (const listener of this.listeners) listener(call);
  }

  private shown(entry: Recorded): InspectedCall {
    if (entry.shown) return entry.shown;
    const { trace } = entry;
    const call: InspectedCall = {
      seq: entry.seq,
      at: entry.startMs,
      method: trace.method,
      auth: trace.caller?.kind ?? null,
      userId: trace.caller?.userId ?? null,
      status: 200,
      params: maskSecrets(trace.params),
      durationMs: entry.durationMs,
    };
    if (trace.fault) call.fault = trace.fault;
    if (trace.error !== undefined) {
      const error = toRestError(trace.error);
      call.error = { error: error.code, error_description: error.description };
      call.status = error.status;
    } else {
      call.result = maskSecrets(plainValue(trace.result));
    }
    entry.shown = call;
    return call;
  }

  /** Forgets every recorded call (a test portal's reset); sequence numbers keep growing. */
  clear(): void {
    this.calls.length = 0;
  }

  recent(): InspectedCall[] {
    return this.calls.map((entry) => this.shown(entry));
  }

  /** One kept call with its request's details, or null once it has left the window. */
  detail(seq: number): InspectedDetail | null {
    const entry = this.calls.find((c) => c.seq === seq);
    if (!entry) return null;
    const req = entry.trace.request;
    return {
      ...this.shown(entry),
      httpMethod: req?.httpMethod ?? 'POST',
      target: req ? safeTarget(req.target) : `/rest/${entry.trace.method}`,
      headers: req ? maskHeaders(req.headers) : {},
      curl: curlOf(entry.trace),
    };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
