/** One load run through autocannon's programmatic API, reduced to the figures we report. */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Mean of the per-second request counts. */
  rps: number;
  /** Milliseconds; autocannon's histogram has 1 ms resolution. Null when nothing finished. */
  p50: number | null;
  p99: number | null;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export type Request = autocannon.Request;

/**
 * Seconds a request may take before autocannon gives up on it. Far above any healthy answer:
 * a slow server must show up as slow figures, not as a run of abandoned requests.
 */
export const REQUEST_TIMEOUT_S = 60;

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; or `amount` requests in all, whichever the spec gives. */
  duration?: number;
  amount?: number;
  /** Cycled in order by every connection; the mix's proportions come from its contents. */
  requests: Request[];
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
        timeout: REQUEST_TIMEOUT_S,
        pipelining: 1,
        requests: spec.requests,
      },
      (err, r) => {
        if (err) return reject(err);
        const done = r.requests.total > 0;
        resolve({
          rps: r.requests.average,
          p50: done ? r.latency.p50 : null,
          p99: done ? r.latency.p99 : null,
          requests: r.requests.total,
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
        });
      },
    );
  });
}

/** What went wrong in a run, or null: a figure made of error answers would flatter the server. */
export function failures(r: LoadResult): string | null {
  if (r.requests === 0) return `no request finished within ${REQUEST_TIMEOUT_S} s`;
  if (!r.errors && !r.timeouts && !r.non2xx) return null;
  return `${r.errors} errors (${r.timeouts} timeouts), ${r.non2xx} non-2xx of ${r.requests}`;
}
