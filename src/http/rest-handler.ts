import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import { authenticate } from '../rest/auth/index.ts';
import { callerKey } from '../rest/caller.ts';
import { errors } from '../rest/errors.ts';
import { ensureScope, execute, resolveMethod } from '../rest/invoke.ts';
import type { RequestInfo } from '../rest/registry.ts';
import { bodyParams, mergeParams } from './body.ts';
import { parsePhpQuery } from './php-query.ts';
import { sendBody, sendError } from './render.ts';
import type { RestPath } from './rest-path.ts';

export function requestInfo(req: IncomingMessage, secure: boolean): RequestInfo {
  const host = req.headers.host ?? 'localhost';
  return { ip: req.socket.remoteAddress ?? '', secure, origin: `${secure ? 'https' : 'http'}://${host}` };
}

/**
 * One REST call, in the portal's order: find the method (unknown → 404 before auth), read
 * the parameters, authenticate (scope included), take from the leaky bucket, run, render.
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
  try {
    const def = resolveMethod(services, path.method);
    const params = mergeParams(parsePhpQuery(url.search.slice(1)), await bodyParams(req, services.config.bodyLimit));
    delete params.method;
    const request = requestInfo(req, secure);
    const { caller, consumed } = await authenticate(
      { webhook: path.webhook, params, headers: req.headers, secure, ip: request.ip },
      services.authProviders,
      services,
    );
    for (const key of consumed) delete params[key];
    ensureScope(def, caller);
    if (!(await services.rateLimiter.take(`${callerKey(caller)}|${request.ip}`, services.clock.now()))) {
      throw errors.queryLimitExceeded();
    }
    const outcome = await execute({ services, def, caller, raw: params, request, startMs });
    const body: Record<string, unknown> = { result: outcome.result };
    if (outcome.next !== undefined) body.next = outcome.next;
    if (outcome.total !== undefined) body.total = outcome.total;
    body.time = outcome.time;
    sendBody(res, 200, body, path.format);
  } catch (err) {
    sendError(res, err, services.log, path.format);
  }
}
