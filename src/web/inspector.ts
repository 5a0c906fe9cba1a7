import { toRestError } from '../errors/rest.ts';

/** One REST call as the console shows it. */
export interface InspectedCall {
  seq: number;
  at: number;
  method: string;
  /** `webhook`, `oauth`, `session`, or null when authentication failed. */
  auth: string | null;
  userId: number | null;
  params: unknown;
  result?: unknown;
  error?: { error: string; error_description: string };
  /** Set when an injected fault answered instead of the server (`fault #1: QUERY_LIMIT_EXCEEDED`). */
  fault?: string;
  durationMs: number;
}

/** What the REST edge knows about a call when it ends. */
export interface RestCallTrace {
  method: string;
  params: unknown;
  caller: { kind: string; userId: number } | null;
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
const MAX_TEXT = 2000;

/** A copy of `value` with credential values replaced and long strings cut (the page stays light). */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '***' : maskSecrets(v, depth + 1);
    return out;
  }
  return value;
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

  constructor(private readonly capacity = 200) {}

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
      params: maskSecrets(trace.params),
      durationMs: entry.durationMs,
    };
    if (trace.fault) call.fault = trace.fault;
    if (trace.error !== undefined) {
      const error = toRestError(trace.error);
      call.error = { error: error.code, error_description: error.description };
    } else {
      call.result = maskSecrets(trace.result);
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

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
