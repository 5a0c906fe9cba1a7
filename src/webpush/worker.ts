import { hostname } from 'node:os';
import { backoffMs, describeFailure } from '../apps/delivery.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { guardedPostAnswer } from '../lib/guarded-post.ts';
import { NetworkRefused } from '../lib/networks.ts';
import { randomHex } from '../lib/secrets.ts';
import type { ServerMetrics } from '../observability/metrics.ts';
import type { Store } from '../store/port/store.ts';
import type { PushDelivery, PushSubscriptionRecord, VapidKeys } from '../store/port/webpush.ts';
import { pushPayload, pushTopic } from './payload.ts';
import type { DeliveryPolicy } from '../delivery/policy.ts';
import { pickLanguage, translate } from '../web/i18n.ts';

/** Rows claimed per round; each is pushed concurrently with the others. */
const BATCH = 20;
/** How long one request to a push service may take. */
const TIMEOUT_MS = 10_000;
/** Attempts before a push to one device is given up (about 5 minutes of retries). */
export const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 20_000;
/** While the user does not want to be disturbed, a held push is looked at again this often. */
export const HOLD_RECHECK_MS = 60_000;

export interface WebPushDeps {
  store: Store;
  clock: Clock;
  log: Pick<Logger, 'debug' | 'warn'>;
  metrics: Pick<ServerMetrics, 'webPushAttempts'>;
  config: Pick<Config, 'pushSubject' | 'pushTtlS' | 'publicUrl' | 'handlerNetworks'>;
  /** The user's settings: push switched off for a type, do not disturb, quiet hours. */
  policy: Pick<DeliveryPolicy, 'decide'>;
  vapid: VapidKeys;
}

interface Answer {
  /** null: no answer (network failure, timeout, refused destination). */
  status: number | null;
  error: string;
  /** The endpoint is on a network the settings do not allow. */
  refused: boolean;
  retryAfterMs: number;
}

type Outcome = 'sent' | 'retry' | 'failed' | 'gone' | 'held' | 'off' | 'skipped';

/** The library's headers as strings (Content-Length is set by the client from the body). */
function requestHeaders(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-length').map(([k, v]) => [k, String(v)]));
}

/** The `sub` claim: a contact the push service can reach the operator at (RFC 8292 §2.1). */
export function vapidSubject(config: WebPushDeps['config']): string {
  if (config.pushSubject) return config.pushSubject;
  return config.publicUrl?.startsWith('https:') ? new URL(config.publicUrl).origin : 'mailto:postmaster@localhost';
}

// WHY lazy: web-push (and the JWT and ASN.1 code it pulls in) is needed at the first push,
// not to start serving; most installations push nothing in their first seconds.
let library: typeof import('web-push') | null = null;
async function webPushLibrary(): Promise<typeof import('web-push')> {
  library ??= ((await import('web-push')) as unknown as { default: typeof import('web-push') }).default;
  return library;
}

/**
 * Pushes queued notifications to browsers (the web-push job runs `deliverDue`). Rows are
 * claimed atomically, one node per row; each is checked against the settings when it is due
 * (so do-not-disturb holds it and a type switched off drops it), encrypted and signed by the
 * web-push library (RFC 8291, RFC 8292) and posted. 404/410 from the push service means the
 * browser dropped the subscription: it is deleted. Other failures are retried with back-off.
 */
export class WebPushWorker {
  readonly workerId = `${hostname()}:${process.pid}:${randomHex(4)}`;
  private nudged: (() => void) | null = null;

  constructor(private readonly deps: WebPushDeps) {}

  /**
   * Pushes everything due, at most BATCH at a time. A free slot is filled at once, so a push
   * service that is slow to answer holds one slot, not the pushes of everyone else.
   */
  async deliverDue(signal: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      const room = signal.aborted ? 0 : BATCH - inFlight.size;
      const now = this.deps.clock.now();
      const claimed = room > 0 ? await this.deps.store.webPush.claimDue(this.workerId, now, now + TIMEOUT_MS * 2, room) : [];
      for (const d of claimed) {
        const running: Promise<void> = this.attempt(d, signal)
          .catch((err) => this.deps.log.warn(`web push #${d.id}: ${describeFailure(err)} (retried when its claim lapses)`))
          .finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
      if (inFlight.size === 0) return;
      // Nothing more is due (or every slot is busy): look again when one finishes or more is queued.
      if (claimed.length < room || room === 0) {
        await Promise.race([...inFlight, new Promise<void>((resolve) => (this.nudged = resolve))]);
        this.nudged = null;
      }
    }
  }

  /** More pushes were queued: a run waiting on slow push services claims them now. */
  nudge(): void {
    this.nudged?.();
  }

  private async attempt(d: PushDelivery, signal: AbortSignal): Promise<void> {
    const outcome = await this.outcome(d, signal);
    this.deps.metrics.webPushAttempts.inc({ outcome });
  }

  private async outcome(d: PushDelivery, signal: AbortSignal): Promise<Outcome> {
    const { store, clock, policy, log } = this.deps;
    const n = await store.notifications.byId(d.notificationId);
    const sub = await store.webPush.byId(d.subscriptionId);
    // Read, deleted or replaced by tag meanwhile, or the browser went: nothing to show.
    if (!n || n.read || !sub || sub.userId !== n.userId) {
      await store.webPush.finish(d.id);
      return 'skipped';
    }
    const decision = await policy.decide(n.userId, `${n.module}|${n.event}`, 'push', clock.now());
    if (decision.action === 'off') {
      await store.webPush.finish(d.id);
      return 'off';
    }
    if (decision.action === 'hold') {
      // A hold without an end (do not disturb) is looked at again now and then; none costs an attempt.
      const recheck = clock.now() + HOLD_RECHECK_MS;
      await store.webPush.reschedule(d.id, decision.until === null ? recheck : Math.min(decision.until, recheck), false);
      return 'held';
    }
    const author = n.authorId > 0 ? await store.users.byId(n.authorId) : null;
    // A closed browser has no page to ask for a language: the one the user saved, else English.
    const lang = pickLanguage((await store.preferences.get(n.userId)).language, undefined);
    const answer = await this.post(sub, JSON.stringify(pushPayload(n, author, translate(lang, 'author.system'))), pushTopic(n), signal);
    const what = `web push of notification #${n.id} to subscription #${sub.id} (${new URL(sub.endpoint).host}), attempt ${d.attempts}`;
    if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
      await store.webPush.finish(d.id);
      await store.webPush.noteResult(sub.id, clock.now(), '');
      log.debug(`${what}: sent (${answer.status})`);
      return 'sent';
    }
    if (answer.status === 404 || answer.status === 410) {
      await store.webPush.remove(sub.id);
      log.debug(`${what}: HTTP ${answer.status}, the browser dropped it; subscription removed`);
      return 'gone';
    }
    const error = answer.status === null ? answer.error : `HTTP ${answer.status}`;
    await store.webPush.noteResult(sub.id, clock.now(), error);
    // 429 and 5xx (and network failures) pass; any other 4xx, or a refused network, stays so.
    const transient = answer.status === null ? !answer.refused : answer.status === 429 || answer.status >= 500;
    if (!transient || d.attempts >= MAX_ATTEMPTS) {
      await store.webPush.finish(d.id);
      log.warn(`${what}: ${error} (given up)`);
      return 'failed';
    }
    const wait = Math.max(backoffMs(RETRY_BASE_MS, d.attempts), answer.retryAfterMs);
    await store.webPush.reschedule(d.id, clock.now() + wait, true);
    log.warn(`${what}: ${error}, retried in ${Math.round(wait / 1000)} s`);
    return 'retry';
  }

  /**
   * One POST to the push service, built by the web-push library (encrypted body, VAPID header),
   * sent by the same guarded client as event deliveries: the endpoint is a URL a user handed
   * us, so it must be on a network NOTIFY24_HANDLER_NETWORKS allows (checked on the address
   * connected to). The library's own client would post anywhere, and only over https.
   */
  private async post(sub: PushSubscriptionRecord, payload: string, topic: string | undefined, signal: AbortSignal): Promise<Answer> {
    const { config, vapid } = this.deps;
    try {
      const webpush = await webPushLibrary();
      const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
        vapidDetails: { subject: vapidSubject(config), publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: config.pushTtlS,
        contentEncoding: 'aes128gcm',
        urgency: 'normal',
        ...(topic ? { topic } : {}),
      });
      const res = await guardedPostAnswer({
        url: request.endpoint,
        headers: requestHeaders(request.headers),
        body: request.body as Buffer,
        allowed: config.handlerNetworks,
        signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), signal]),
      });
      const retryAfter = Number(res.headers['retry-after']);
      return { status: res.status, error: '', refused: false, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) * 1000 : 0 };
    } catch (err) {
      return { status: null, error: describeFailure(err), refused: err instanceof NetworkRefused, retryAfterMs: 0 };
    }
  }
}
