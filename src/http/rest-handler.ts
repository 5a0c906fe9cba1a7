import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import { authenticate } from '../rest/auth/index.ts';
import { ensureScope, execute, resolveMethod } from '../rest/invoke.ts';
import type { RequestInfo } from '../rest/registry.ts';
import { rateLimitKey } from '../limits/rate-limiter.ts';
import { bodyParams, mergeParams } from './body.ts';
import { parsePhpQuery } from '../lib/php-query.ts';
import { sendBody, sendError } from './render.ts';
import type { RestPath } from './rest-path.ts';
import { recordRestCall, type RestCallTrace } from '../web/inspector.ts';
import { errors } from '../errors/rest.ts';

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
 * One REST call, in the portal's order: take from the leaky bucket, find the method (unknown
 * → 404 before auth), read the parameters, authenticate (scope included), run, render.
 */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: RestPath,
  secure: boolean,
  services: Services,
): Promise<void> {
  const startMs = services.clock.now();
  const trace: RestCallTrace = { method: path.method, params: null, caller: null };
  try {
    const request = requestInfo(req, secure, services.config.trustProxy);
    // The bucket stands in front of everything, as the portal's infrastructure does: every HTTP
    // request from an IP counts (a batch is one), and a refused one is never read or run.
    if (!(await services.rateLimiter.take(rateLimitKey(request.ip), startMs))) {
      req.resume();
      throw errors.queryLimitExceeded();
    }
    const def = resolveMethod(services, path.method);
    const params = mergeParams(parsePhpQuery(url.search.slice(1)), await bodyParams(req, services.config.bodyLimit));
    delete params.method;
    trace.params = params;
    const { caller, consumed } = await authenticate(
      { webhook: path.webhook, params, headers: req.headers, secure, ip: request.ip },
      services.authProviders,
      services,
    );
    for (const key of consumed) delete params[key];
    trace.caller = caller;
    ensureScope(def, caller);
    const outcome = await execute({ services, def, caller, raw: params, request, startMs });
    const body: Record<string, unknown> = { result: outcome.result };
    if (outcome.next !== undefined) body.next = outcome.next;
    if (outcome.total !== undefined) body.total = outcome.total;
    body.time = outcome.time;
    trace.result = outcome.result;
    sendBody(res, 200, body, path.format);
  } catch (err) {
    trace.error = err;
    sendError(res, err, services.log, path.format);
  } finally {
    recordRestCall(services, trace, startMs);
  }
}
