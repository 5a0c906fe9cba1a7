import type { Config } from '../../config.ts';
import { catalogError } from '../../errors/catalog.ts';
import { errors, toRestError } from '../../errors/rest.ts';
import type { FaultInjector } from '../../faults/injector.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../lib/clock.ts';
import { tagged, type Logger } from '../../lib/log.ts';
import { noRateLimit, rateLimitKey, type RateLimiter } from '../../limits/rate-limiter.ts';
import { parsePhpQuery } from '../../lib/php-query.ts';
import type { Authenticate, AuthOutcome } from '../../rest/auth/index.ts';
import { ensureScope } from '../../rest/invoke.ts';
import type { CallOutcome, MethodDef, MethodRunner, RequestInfo } from '../../rest/method.ts';
import type { Caller } from '../../rest/caller.ts';
import type { FaultAction } from '../../faults/rule.ts';
import { checkShape } from '../../rest/shape.ts';
import type { RestCallTrace } from '../../web/inspector.ts';
import { bodyNow, mergeParams, paramsOfBody, readBody } from '../body.ts';
import type { RawParams } from '../../rest/params.ts';
import { droppedConnection, empty, PORTAL_HEADERS, portalError, portalJson, portalReply, truncated, type Reply } from '../reply.ts';
import { successBody, successJson } from '../../rest/json-text.ts';
import type { HttpRequest } from '../request.ts';
import { parseRestPath, type RestPath } from '../rest-path.ts';

/** A fault the injector picked for a call. */
type Fault = FaultAction & { label: string };

/** Where finished REST calls are reported (the console's inspector). */
export interface CallRecorder {
  record(trace: RestCallTrace, startMs: number, now: number): void;
}

export interface RestEdgeDeps {
  clock: Clock;
  log: Pick<Logger, 'error'>;
  config: Pick<Config, 'bodyLimit'>;
  rateLimiter: RateLimiter;
  authenticate: Authenticate;
  runner: MethodRunner;
  recorder: CallRecorder | null;
  /** Scripted failures (a server for tests); null or empty on any other. */
  faults: FaultInjector | null;
}

/**
 * `/rest/...`: one REST call, in the portal's order: take from the leaky bucket, find the
 * method (unknown → 404 before auth), read the parameters, authenticate (scope included), run,
 * answer in the envelope (JSON or XML, errors included).
 * WHY each step waits only when its answer is a promise (and the reply is returned at once when
 * none was): with limits in memory, cached credentials, a body already read by the parser and a
 * method that answers at once, the call is answered in the turn it started, with no promise.
 */
export function restHandler(deps: RestEdgeDeps) {
  return (req: HttpRequest): Reply | Promise<Reply> => {
    const path = parseRestPath(req.pathname);
    if (!path) {
      req.raw.resume();
      return portalError(errors.methodNotFound());
    }
    const call = new RestCall(deps, req, path);
    let reply: Reply | Promise<Reply>;
    try {
      reply = call.begin();
    } catch (err) {
      return call.end(call.failed(err));
    }
    if (reply instanceof Promise) return reply.then((r) => call.end(r), (err: unknown) => call.end(call.failed(err)));
    return call.end(reply);
  };
}

/** One REST call's steps; each goes on at once with a value, or once the promise it got fulfils. */
class RestCall {
  readonly startMs: number;
  readonly trace: RestCallTrace;
  readonly request: RequestInfo;
  /** An injected fault cuts the answer short. */
  private truncate = false;
  private def: MethodDef | null = null;

  constructor(
    private readonly deps: RestEdgeDeps,
    private readonly req: HttpRequest,
    private readonly path: RestPath,
  ) {
    this.startMs = deps.clock.now();
    this.trace = {
      method: path.method, params: null, caller: null,
      request: { httpMethod: req.method, target: req.pathname + req.search, origin: req.origin, headers: req.headers },
    };
    req.notes.restMethod = 'unknown';
    this.request = { ip: req.ip, secure: req.secure, origin: req.origin, requestId: req.id };
  }

  /**
   * The bucket stands in front of everything, as the portal's infrastructure does: every HTTP
   * request from an IP counts (a batch is one), and a refused one is never read or run.
   */
  begin(): Reply | Promise<Reply> {
    const limiter = this.deps.rateLimiter;
    const taken = limiter === noRateLimit || limiter.take(rateLimitKey(this.request.ip), this.startMs);
    if (taken === true) return this.read();
    if (taken === false) return this.refuse();
    return taken.then((ok) => (ok ? this.read() : this.refuse()));
  }

  private refuse(): never {
    this.req.raw.resume();
    throw errors.queryLimitExceeded();
  }

  /** The method, then the parameters: the query's, and a POST body's (other bodies are drained). */
  private read(): Reply | Promise<Reply> {
    const { req, deps } = this;
    const def = deps.runner.resolve(this.path.method);
    this.def = def;
    req.notes.restMethod = def.name;
    const query = req.search.length > 1 ? parsePhpQuery(req.search.slice(1)) : {};
    checkShape(query);
    if (req.raw.method !== 'POST') {
      req.raw.resume();
      return this.authenticate(mergeParams(query, {}));
    }
    const limit = deps.config.bodyLimit;
    const body = bodyNow(req.raw, limit) ?? readBody(req.raw, limit);
    if (body instanceof Promise) return body.then((b) => this.parse(query, b));
    return this.parse(query, body);
  }

  private parse(query: RawParams, body: Buffer): Reply | Promise<Reply> {
    const fromBody = paramsOfBody(this.req.raw, body);
    if (fromBody instanceof Promise) return fromBody.then((p) => this.authenticate(mergeParams(query, p)));
    return this.authenticate(mergeParams(query, fromBody));
  }

  private authenticate(params: RawParams): Reply | Promise<Reply> {
    const { req } = this;
    delete params.method;
    this.trace.params = params;
    const authenticated = this.deps.authenticate({ webhook: this.path.webhook, params, headers: req.headers, secure: req.secure, ip: this.request.ip });
    if (authenticated instanceof Promise) return authenticated.then((a) => this.authorized(params, a));
    return this.authorized(params, authenticated);
  }

  private authorized(params: RawParams, { caller, consumed }: AuthOutcome): Reply | Promise<Reply> {
    const def = this.def!;
    for (const key of consumed) delete params[key];
    this.trace.caller = caller;
    this.req.notes.caller = caller.kind;
    ensureScope(def, caller);
    // An injected fault answers once the call is known to be valid: its method and caller.
    const fault = this.deps.faults?.pick(def.name, caller) ?? null;
    if (!fault) return this.run(caller, params);
    this.trace.fault = fault.label;
    if (fault.delayMs) return sleep(fault.delayMs).then(() => this.faulted(fault, caller, params));
    return this.faulted(fault, caller, params);
  }

  private faulted(fault: Fault, caller: Caller, params: RawParams): Reply | Promise<Reply> {
    if (fault.drop) return droppedConnection();
    if (fault.error) throw catalogError(fault.error)!;
    this.truncate = fault.truncate;
    return this.run(caller, params);
  }

  private run(caller: Caller, params: RawParams): Reply | Promise<Reply> {
    const executed = this.deps.runner.execute({ def: this.def!, caller, raw: params, request: this.request, startMs: this.startMs });
    if (executed instanceof Promise) return executed.then((o) => this.answer(o));
    return this.answer(executed);
  }

  private answer(outcome: CallOutcome): Reply {
    this.trace.result = outcome.result;
    const reply = this.path.format === 'json' ? portalJson(200, successJson(outcome)) : portalReply(200, successBody(outcome), 'xml');
    return this.truncate ? truncated(reply) : reply;
  }

  /** The answer to a step's error, in the envelope. */
  failed(err: unknown): Reply {
    this.trace.error = err;
    const reply = portalError(toRestError(err, tagged(this.deps.log, { request_id: this.req.id })), this.path.format);
    return this.truncate ? truncated(reply) : reply;
  }

  /** Reports the finished call (the console's inspector) and hands its reply on. */
  end(reply: Reply): Reply {
    this.deps.recorder?.record(this.trace, this.startMs, this.deps.clock.now());
    return reply;
  }
}

/** `OPTIONS` on any path: the CORS preflight browsers send before a REST call. */
export function preflight(req: HttpRequest): Reply {
  req.raw.resume();
  return empty(200, { ...PORTAL_HEADERS, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS' });
}
