import type { Config } from '../../config.ts';
import { catalogError } from '../../errors/catalog.ts';
import { errors, toRestError } from '../../errors/rest.ts';
import type { FaultInjector } from '../../faults/injector.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../lib/clock.ts';
import { tagged, type Logger } from '../../lib/log.ts';
import { noRateLimit, rateLimitKey, type RateLimiter } from '../../limits/rate-limiter.ts';
import { parsePhpQuery } from '../../lib/php-query.ts';
import type { Authenticate } from '../../rest/auth/index.ts';
import { ensureScope } from '../../rest/invoke.ts';
import type { MethodRunner, RequestInfo } from '../../rest/method.ts';
import { checkShape } from '../../rest/shape.ts';
import type { RestCallTrace } from '../../web/inspector.ts';
import { mergeParams, paramsOfBody, readBody } from '../body.ts';
import type { RawParams } from '../../rest/params.ts';
import { droppedConnection, empty, PORTAL_HEADERS, portalError, portalJson, portalReply, truncated, type Reply } from '../reply.ts';
import { successBody, successJson } from '../../rest/json-text.ts';
import type { HttpRequest } from '../request.ts';
import { parseRestPath } from '../rest-path.ts';

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
 * WHY each step's answer is awaited only when it is a promise: with limits in memory, cached
 * credentials and a method that answers at once, the body is the only thing a call waits for.
 */
export function restHandler(deps: RestEdgeDeps) {
  return async (req: HttpRequest): Promise<Reply> => {
    const path = parseRestPath(req.pathname);
    if (!path) {
      req.raw.resume();
      return portalError(errors.methodNotFound());
    }
    const startMs = deps.clock.now();
    const trace: RestCallTrace = {
      method: path.method, params: null, caller: null,
      request: { httpMethod: req.method, target: req.pathname + req.search, origin: req.origin, headers: req.headers },
    };
    req.notes.restMethod = 'unknown';
    let truncate = false;
    try {
      const request: RequestInfo = { ip: req.ip, secure: req.secure, origin: req.origin, requestId: req.id };
      // The bucket stands in front of everything, as the portal's infrastructure does: every HTTP
      // request from an IP counts (a batch is one), and a refused one is never read or run.
      const taken = deps.rateLimiter === noRateLimit || deps.rateLimiter.take(rateLimitKey(request.ip), startMs);
      if (!(taken === true || (taken !== false && (await taken)))) {
        req.raw.resume();
        throw errors.queryLimitExceeded();
      }
      const def = deps.runner.resolve(path.method);
      req.notes.restMethod = def.name;
      const query = req.search.length > 1 ? parsePhpQuery(req.search.slice(1)) : {};
      checkShape(query);
      // Only POST bodies carry parameters (others are drained).
      let fromBody: RawParams | Promise<RawParams> = {};
      if (req.raw.method === 'POST') fromBody = paramsOfBody(req.raw, await readBody(req.raw, deps.config.bodyLimit));
      else req.raw.resume();
      const params = mergeParams(query, fromBody instanceof Promise ? await fromBody : fromBody);
      delete params.method;
      trace.params = params;
      const authenticated = deps.authenticate({ webhook: path.webhook, params, headers: req.headers, secure: req.secure, ip: request.ip });
      const { caller, consumed } = authenticated instanceof Promise ? await authenticated : authenticated;
      for (const key of consumed) delete params[key];
      trace.caller = caller;
      req.notes.caller = caller.kind;
      ensureScope(def, caller);
      // An injected fault answers once the call is known to be valid: its method and caller.
      const fault = deps.faults?.pick(def.name, caller) ?? null;
      if (fault) {
        trace.fault = fault.label;
        if (fault.delayMs) await sleep(fault.delayMs);
        if (fault.drop) return droppedConnection();
        if (fault.error) throw catalogError(fault.error)!;
        truncate = fault.truncate;
      }
      const executed = deps.runner.execute({ def, caller, raw: params, request, startMs });
      const outcome = executed instanceof Promise ? await executed : executed;
      trace.result = outcome.result;
      const reply = path.format === 'json' ? portalJson(200, successJson(outcome)) : portalReply(200, successBody(outcome), 'xml');
      return truncate ? truncated(reply) : reply;
    } catch (err) {
      trace.error = err;
      const reply = portalError(toRestError(err, tagged(deps.log, { request_id: req.id })), path.format);
      return truncate ? truncated(reply) : reply;
    } finally {
      deps.recorder?.record(trace, startMs, deps.clock.now());
    }
  };
}

/** `OPTIONS` on any path: the CORS preflight browsers send before a REST call. */
export function preflight(req: HttpRequest): Reply {
  req.raw.resume();
  return empty(200, { ...PORTAL_HEADERS, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS' });
}
