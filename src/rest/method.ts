import type { AppEventSink } from '../apps/app-events.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import type { HeldPushes } from '../notify/push-change.ts';
import type { RenderedNotifications } from '../notify/rendered.ts';
import type { PushHub } from '../realtime/hub.ts';
import type { Store } from '../store/port/store.ts';
import type { Caller } from './caller.ts';
import type { Params, RawParams } from './params.ts';
import type { TimeBlock } from './time.ts';

/** What the transport knows about the request a method runs for. */
export interface RequestInfo {
  ip: string;
  secure: boolean;
  /** `http(s)://host:port` as the client addressed us, for building URLs in results. */
  origin: string;
  /** The HTTP request's id, for log lines about this call. */
  requestId?: string;
}

/** The method table as methods see it (`methods`, `scope`, `method.get` list it). */
export interface MethodCatalog {
  find(name: string): MethodDef | undefined;
  all(): MethodDef[];
  scopes(): string[];
}

/** What method handlers may use besides their call: built once by the composition root. */
export interface MethodDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Real-time fan-out to users' open pages. */
  hub: PushHub;
  /** Events for applications (delivered to their bound handlers). */
  appEvents: AppEventSink;
  methods: MethodCatalog;
  config: Pick<Config, 'webhookTagsWithClientId' | 'handlerNetworks' | 'mailDelayS' | 'pushInsecureEndpoints'>;
  /** Runs the web push job soon (pushes were queued). */
  wakeWebPush: () => void;
  /** The server's VAPID public key, for browsers subscribing to Web Push. */
  vapidPublicKey: string;
  /** Set for the calls a batch runs in its one transaction: their pushes wait for its commit. */
  heldPushes?: HeldPushes;
  /** Notifications already rendered as im.notify.get prints them (src/notify/rendered.ts). */
  rendered: RenderedNotifications;
}

/** A successful call, before the edge wraps it in the envelope. */
export interface CallOutcome {
  result: unknown;
  next?: number;
  total?: number;
  time: TimeBlock;
}

/** One authorized call to run: what `execute` needs besides the method's dependencies. */
export interface Call {
  def: MethodDef;
  caller: Caller;
  raw: RawParams;
  request: RequestInfo;
  /** When the HTTP request started (Unix ms), for `time.start`. */
  startMs: number;
  inBatch?: boolean;
  /** The dependencies to run it with, when not the pipeline's own (a batch's transaction). */
  deps?: MethodDeps;
}

/** Runs methods the way the edge does (batch re-enters it for each command). */
export interface MethodRunner {
  /** The method, or ERROR_METHOD_NOT_FOUND. */
  resolve(name: string): MethodDef;
  /** The outcome, at once when nothing had to wait (in-memory accounting, a handler that returned a value). */
  execute(call: Call): CallOutcome | Promise<CallOutcome>;
}

export interface MethodContext {
  caller: Caller;
  /** Parameters with upper-cased top-level keys (or as sent, for `rawKeys` methods). */
  params: Params;
  /** Parameters exactly as sent, auth keys removed. */
  raw: RawParams;
  /** The `start` paging offset (intval; -1 asks for no count), separated from the parameters as Bitrix does. */
  start: number;
  deps: MethodDeps;
  /** The pipeline this call runs in, for methods that run other methods (batch). */
  runner: MethodRunner;
  request: RequestInfo;
  /** The method name as registered (lower case). */
  method: string;
  inBatch: boolean;
}

export interface MethodDef {
  /** Lower-case method name, e.g. `im.notify.get`. */
  name: string;
  /** `_global` for methods every caller may use, else the scope a grant must contain. */
  scope: string;
  handler: (ctx: MethodContext) => unknown | Promise<unknown>;
  /** Callable inside `batch` (default true). */
  batch?: boolean;
  /**
   * Inside `batch`, runs in one transaction with the neighbouring calls that also do (default
   * false). Only for handlers that touch the store only through `ctx.deps.store`, await nothing
   * else, publish through `publishChange` and `ctx.deps.wakeWebPush` (both held until that
   * commit), and keep nothing they read beyond the call (the transaction may still be rolled
   * back): anything else would stall the writer, deadlock on it, or remember uncommitted rows.
   */
  sharesBatchCommit?: boolean;
  /** Shown by `methods` (default true); Bitrix hides some callable methods. */
  listed?: boolean;
  /** Keep parameter keys as sent instead of upper-casing them (e.g. im.counters.get). */
  rawKeys?: boolean;
}
