import type { RequestDone } from '../http/dispatch.ts';
import { isSilent, type Logger } from '../lib/log.ts';
import type { ServerMetrics } from './metrics.ts';
import { safeTarget } from './redact.ts';
import type { TrafficWindow } from './traffic.ts';

/** Error codes that mean "refused by a limit", and the limit they name in the metric. */
const LIMIT_OF: Record<string, string> = {
  QUERY_LIMIT_EXCEEDED: 'requests',
  OPERATION_TIME_LIMIT: 'operating_time',
  TOO_MANY_ATTEMPTS: 'sign_in',
};

export interface RequestObserverDeps {
  log: Pick<Logger, 'info'>;
  metrics: Pick<ServerMetrics, 'httpRequests' | 'httpDuration' | 'restRequests' | 'restDuration' | 'limitRefusals'>;
  traffic: TrafficWindow;
}

/**
 * What happens after each answered request (the dispatcher's `onDone`): one access log line
 * (target without credentials), the request metrics, and REST calls into the traffic window.
 */
export function observeRequests({ log, metrics, traffic }: RequestObserverDeps): (done: RequestDone) => void {
  // The access line's fields (the target's credentials masked) are not built for no log at all.
  const accessLog = !isSilent(log);
  return (d) => {
    const route = d.route ?? 'none';
    const seconds = d.ms / 1000;
    metrics.httpRequests.inc({ route, method: d.method, status: d.status });
    metrics.httpDuration.observe({ route }, seconds);
    const limit = d.error === null ? undefined : LIMIT_OF[d.error];
    if (limit) metrics.limitRefusals.inc({ limit });
    const restMethod = d.notes.restMethod;
    if (restMethod !== undefined) {
      metrics.restRequests.inc({ method: restMethod, status: d.status, error: d.error ?? '' });
      metrics.restDuration.observe({ method: restMethod }, seconds);
      traffic.record(d.status, d.ms, d.error);
    }
    if (!accessLog) return;
    log.info('request', {
      request_id: d.id,
      method: d.method,
      path: safeTarget(d.target),
      status: d.status,
      ms: Math.round(d.ms * 10) / 10,
      caller: d.notes.caller,
      rest_method: restMethod,
      error: d.error ?? undefined,
      ip: d.ip,
    });
  };
}
