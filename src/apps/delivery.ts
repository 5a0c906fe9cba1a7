import { hostname } from 'node:os';
import qs from 'qs';
import { randomHex } from '../lib/secrets.ts';
import type { Services } from '../services.ts';
import type { App, DeliveryAttempt, EventDelivery } from '../store/port/apps.ts';
import type { AppEvent, AppEventSink } from './app-events.ts';
import { AFTER_REMOVAL_EVENTS, REFRESH_TOKEN_EVENTS } from './event-catalog.ts';
import { portalFacts, type PortalFacts } from './portal.ts';
import { issueTokens, tokenBody } from './tokens.ts';

type Deps = Pick<Services, 'store' | 'clock' | 'config' | 'log'>;

/** Rows claimed per round; each is posted concurrently with the others. */
const BATCH = 20;
/** Longest wait between two attempts, however many failed before. */
const MAX_BACKOFF_MS = 3_600_000;
/** Expired tokens and old finished deliveries are purged this often. */
const PURGE_EVERY_MS = 3_600_000;

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
  return qs.stringify(body, { skipNulls: true });
}

/**
 * `auth[...]` for a delivery: fresh tokens for its user (a refresh token only for install-type
 * events, as on the portal), or only the portal's identity and the application token when no
 * active user caused it.
 */
async function authFor(deps: Deps, d: EventDelivery, app: App, portal: PortalFacts): Promise<Record<string, unknown>> {
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

/**
 * The event delivery engine. `emit` only writes rows (the durable queue) and returns; a worker
 * loop claims due rows (one node per row, through `claimed_until`), posts them with a timeout,
 * and on failure schedules a retry with exponential backoff until `eventMaxAttempts`.
 */
export class EventDeliveryEngine implements AppEventSink {
  /** Names this process in `claimed_by`, so a lapsed claim can be told from a live one. */
  readonly workerId = `${hostname()}:${process.pid}:${randomHex(4)}`;
  private baseUrl: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private again = false;
  private lastPurge = 0;
  private readonly stopping = new AbortController();

  constructor(private readonly deps: Deps) {}

  async emit(event: AppEvent): Promise<void> {
    const { store, clock } = this.deps;
    const app = await store.apps.byClientId(event.clientId);
    // The portal sends nothing to a removed or not yet installed application.
    if (!app || !app.active || !app.installed) return;
    const name = event.name.toUpperCase();
    const bindings = await store.events.bindingsFor(app.id, name);
    if (bindings.length === 0) return;
    await store.events.enqueue(
      bindings.map((b) => ({
        appId: app.id,
        bindingId: b.id,
        event: name,
        handler: b.handler,
        // auth_type 0 = the user who caused the event; otherwise the bound user's tokens.
        userId: b.authUserId || event.userId,
        data: event.data,
        withRefresh: REFRESH_TOKEN_EVENTS.has(name),
      })),
      clock.now(),
    );
    this.wake();
  }

  /** Starts the worker; `baseUrl` is this server's address for `client_endpoint` when no public URL is set. */
  start(baseUrl: string): void {
    this.baseUrl = baseUrl;
    this.schedule(0);
  }

  /** Runs a round soon: rows were just queued by this process. */
  wake(): void {
    if (this.baseUrl === null || this.stopping.signal.aborted) return;
    if (this.round) this.again = true;
    else this.schedule(0);
  }

  /** Stops the loop and cuts posts in flight short (they are retried, by this or another node). */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  private schedule(ms: number): void {
    if (this.stopping.signal.aborted) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.runRound().finally(() => {
        this.round = null;
        const soon = this.again;
        this.again = false;
        this.schedule(soon ? 0 : this.deps.config.eventPollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    try {
      for (;;) {
        if (this.stopping.signal.aborted) return;
        const now = this.deps.clock.now();
        const claimUntil = now + this.deps.config.eventTimeoutMs * 2;
        const batch = await this.deps.store.events.claimDue(this.workerId, now, claimUntil, BATCH);
        if (batch.length === 0) break;
        await Promise.all(batch.map((d) => this.attempt(d)));
      }
      await this.purgeOccasionally();
    } catch (err) {
      // The store being away is logged and retried next round; the loop itself never dies.
      this.deps.log.warn(`event delivery round failed: ${(err as Error).message}`);
    }
  }

  private async attempt(d: EventDelivery): Promise<void> {
    const { store, clock, config, log } = this.deps;
    const at = clock.now();
    const app = await store.apps.byId(d.appId);
    let status: number | null = null;
    let error: string | null = null;
    const gone = !app || (!app.active && !AFTER_REMOVAL_EVENTS.has(d.event));
    if (gone) {
      error = 'application removed';
    } else {
      ({ status, error } = await this.post(d, app!));
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
    const what = `event ${d.event} #${d.id} to ${d.handler}, attempt ${d.attempts}`;
    if (delivered) log.debug(`${what}: delivered (${status})`);
    else log.warn(`${what}: ${error}${givenUp ? ' (given up)' : ''}`);
  }

  /** One POST; any 2xx answer counts as delivered. Redirects are not followed (the portal does not). */
  private async post(d: EventDelivery, app: App): Promise<{ status: number | null; error: string | null }> {
    const { config } = this.deps;
    try {
      const portal = await portalFacts(this.deps, this.baseUrl ?? 'http://localhost');
      const body = deliveryForm(d, await authFor(this.deps, d, app, portal), this.deps.clock.now());
      const res = await fetch(d.handler, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'notify24 event delivery' },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(config.eventTimeoutMs), this.stopping.signal]),
      });
      // The answer's content does not matter; drop it without reading.
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? { status: res.status, error: null } : { status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { status: null, error: describeFailure(err) };
    }
  }

  private async purgeOccasionally(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await this.deps.store.oauth.purgeExpired(now);
    await this.deps.store.events.purgeFinished(now - this.deps.config.retentionDays * 86_400_000);
  }
}

/** A short reason for the log: fetch wraps the socket error in `cause`. */
function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  if (e.name === 'AbortError') return 'aborted (server stopping)';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
