import { hostname } from 'node:os';
import type Qs from 'qs';
import { guardedPost } from '../lib/guarded-post.ts';
import { lazyRequire } from '../lib/lazy-require.ts';
import { NetworkRefused } from '../lib/networks.ts';
import { randomHex } from '../lib/secrets.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../lib/log.ts';
import type { ServerMetrics } from '../observability/metrics.ts';
import type { App, DeliveryAttempt, EventDelivery } from '../store/port/apps.ts';
import { AFTER_REMOVAL_EVENTS } from './event-catalog.ts';
import { portalFacts, type PortalFacts } from './portal.ts';
import { issueTokens, tokenBody, type OAuthDeps } from './tokens.ts';

/** Loaded at the first delivery: most servers have no application to post events to. */
const qs = lazyRequire<typeof Qs>('qs');

/** Rows claimed per round; each is posted concurrently with the others. */
const BATCH = 20;
/** Longest wait between two attempts, however many failed before. */
const MAX_BACKOFF_MS = 3_600_000;

/** Delay before attempt `attempts + 1`: base, 2×base, 4×base, ... capped at an hour. */
export function backoffMs(base: number, attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * The form body of one delivery, as the portal posts it: `event`, `event_handler_id`,
 * `data[...]`, `ts`, `auth[...]`, nested keys in PHP bracket form (`http_build_query`).
 */
export function deliveryForm(d: EventDelivery, auth: Record<string, unknown>, now: number): string {
  const body: Record<string, unknown> = { event: d.event };
  if (d.bindingId !== null) body.event_handler_id = d.bindingId;
  body.data = d.data;
  body.ts = String(Math.floor(now / 1000));
  body.auth = auth;
  return qs().stringify(body, { skipNulls: true });
}

/**
 * `auth[...]` for a delivery: fresh tokens for its user (a refresh token only for install-type
 * events, as on the portal), or only the portal's identity and the application token when no
 * active user caused it.
 */
async function authFor(deps: DeliveryDeps, d: EventDelivery, app: App, portal: PortalFacts): Promise<Record<string, unknown>> {
  const anonymous = {
    domain: portal.domain,
    server_endpoint: portal.restEndpoint,
    client_endpoint: portal.restEndpoint,
    member_id: portal.memberId,
    application_token: app.applicationToken,
  };
  const user = d.userId > 0 ? await deps.store.users.byId(d.userId) : null;
  if (!user || !user.active) return anonymous;
  const issued = await issueTokens(deps, app, user.id, app.scopes, d.withRefresh);
  return { ...tokenBody(issued, portal), application_token: app.applicationToken };
}

/** What posting deliveries needs: the queue, fresh tokens for `auth[...]`, the retry policy. */
export interface DeliveryDeps extends OAuthDeps {
  log: Pick<Logger, 'debug' | 'warn'>;
  metrics: Pick<ServerMetrics, 'eventAttempts'>;
  config: OAuthDeps['config'] & Pick<Config, 'publicUrl' | 'eventRetryBaseMs' | 'eventMaxAttempts' | 'eventTimeoutMs' | 'handlerNetworks'>;
}

/**
 * Posts queued event deliveries (the event delivery job runs `deliverDue`). Rows are claimed
 * atomically, one node per row (through `claimed_until`), posted with a timeout, and on failure
 * rescheduled with exponential backoff until `eventMaxAttempts`.
 */
export class EventDeliveryWorker {
  /** Names this process in `claimed_by`, so a lapsed claim can be told from a live one. */
  readonly workerId = `${hostname()}:${process.pid}:${randomHex(4)}`;

  /** `baseUrl`: this server's address, for `client_endpoint` when no public URL is set. */
  constructor(
    private readonly deps: DeliveryDeps,
    private readonly baseUrl: string,
  ) {}

  /** Claims and posts due deliveries, batch after batch, until none is due; `signal` cuts posts short. */
  async deliverDue(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      const now = this.deps.clock.now();
      const claimUntil = now + this.deps.config.eventTimeoutMs * 2;
      const batch = await this.deps.store.events.claimDue(this.workerId, now, claimUntil, BATCH);
      if (batch.length === 0) return;
      await Promise.all(batch.map((d) => this.attempt(d, signal)));
    }
  }

  private async attempt(d: EventDelivery, signal: AbortSignal): Promise<void> {
    const { store, clock, config, log, metrics } = this.deps;
    const at = clock.now();
    const app = await store.apps.byId(d.appId);
    let status: number | null = null;
    let error: string | null = null;
    const gone = !app || (!app.active && !AFTER_REMOVAL_EVENTS.has(d.event));
    if (gone) {
      error = 'application removed';
    } else {
      ({ status, error } = await this.post(d, app!, signal));
    }
    const entry: DeliveryAttempt = { at, status, error, ms: clock.now() - at };
    const delivered = error === null;
    const givenUp = !delivered && (d.attempts >= config.eventMaxAttempts || gone);
    await store.events.finishAttempt(d.id, this.workerId, {
      status: delivered ? 'delivered' : givenUp ? 'failed' : 'pending',
      log: [...d.log, entry],
      nextAttemptAt: delivered || givenUp ? at : clock.now() + backoffMs(config.eventRetryBaseMs, d.attempts),
      deliveredAt: delivered ? clock.now() : null,
    });
    metrics.eventAttempts.inc({ outcome: delivered ? 'delivered' : givenUp ? 'failed' : 'retry' });
    const what = `event ${d.event} #${d.id} to ${d.handler}, attempt ${d.attempts}`;
    if (delivered) log.debug(`${what}: delivered (${status})`);
    else log.warn(`${what}: ${error}${givenUp ? ' (given up)' : ''}`);
  }

  /**
   * One POST; any 2xx answer counts as delivered. Redirects are not followed (the portal does
   * not), and a handler on a network `handlerNetworks` does not allow is refused before a byte
   * (or a token) is sent: an attempt that failed with the reason logged.
   */
  private async post(d: EventDelivery, app: App, signal: AbortSignal): Promise<{ status: number | null; error: string | null }> {
    const { config } = this.deps;
    try {
      const portal = await portalFacts(this.deps, this.baseUrl);
      const body = deliveryForm(d, await authFor(this.deps, d, app, portal), this.deps.clock.now());
      const status = await guardedPost({
        url: d.handler,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'notify24 event delivery' },
        body,
        allowed: config.handlerNetworks,
        signal: AbortSignal.any([AbortSignal.timeout(config.eventTimeoutMs), signal]),
      });
      return status >= 200 && status < 300 ? { status, error: null } : { status, error: `HTTP ${status}` };
    } catch (err) {
      return { status: null, error: describeFailure(err) };
    }
  }
}

/** A short reason for the log: fetch wraps the socket error in `cause`. */
export function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string; name?: string } };
  if (e instanceof NetworkRefused) return `refused: ${e.message}`;
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timed out';
  if (e.name === 'AbortError') return 'aborted (server stopping)';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
