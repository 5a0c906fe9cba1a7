import type { Config } from '../../config.ts';
import { webErrors } from '../../errors/web.ts';
import { sameToken } from '../../lib/secrets.ts';
import type { MetricsRegistry } from '../../observability/registry.ts';
import { notFound, text, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

export interface MetricsDeps {
  metricsRegistry: Pick<MetricsRegistry, 'exposition'>;
  config: Pick<Config, 'metricsPort' | 'metricsToken'>;
}

/**
 * `GET /metrics`: the Prometheus text exposition. With `NOTIFY24_METRICS_TOKEN` set, only a
 * scrape carrying `Authorization: Bearer <token>` gets it.
 */
export function metricsHandlers(deps: MetricsDeps) {
  async function scrape(req: HttpRequest): Promise<Reply> {
    const token = deps.config.metricsToken;
    if (token !== null) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!sameToken(given, token)) throw webErrors.metricsToken();
    }
    const { contentType, text: body } = await deps.metricsRegistry.exposition();
    return text(200, body, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  }
  return {
    scrape,
    /** The main port's `/metrics`: unknown there when the metrics are off or on a port of their own. */
    onMainPort: (req: HttpRequest): Promise<Reply> | Reply => (deps.config.metricsPort === 'main' ? scrape(req) : notFound()),
  };
}
