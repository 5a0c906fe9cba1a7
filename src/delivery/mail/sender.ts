import { groupBy } from '../../lib/group-by.ts';
import { hostname } from 'node:os';
import type { Config } from '../../config.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/log.ts';
import { randomHex } from '../../lib/secrets.ts';
import type { ServerMetrics } from '../../observability/metrics.ts';
import { MAIL_SKIP } from '../../notify/schema.ts';
import type { OutboxItem, OutboxOutcome } from '../../store/port/delivery.ts';
import type { User } from '../../store/port/identity.ts';
import type { NotificationRow } from '../../store/port/notifications.ts';
import type { Store } from '../../store/port/store.ts';
import { decide } from '../policy.ts';
import { composeMail } from './compose.ts';
import type { MailTransport } from './transport.ts';
import type { UnsubscribeLinks } from './unsubscribe.ts';

export interface MailDeps {
  store: Store;
  clock: Clock;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  config: Pick<Config, 'mailFrom' | 'mailRetryBaseMs' | 'mailMaxAttempts'>;
  metrics: Pick<ServerMetrics, 'mailItems'>;
}

/** Users whose due mails one claim takes; the run claims again until nothing is due. */
const USERS_PER_CLAIM = 20;
/** A claim outlives the longest SMTP conversation (transport timeouts) with room to spare. */
const CLAIM_MS = 5 * 60_000;
/** Do-not-disturb has no end time: held mails are looked at again this often. */
const DND_RECHECK_MS = 60_000;
const MAX_RETRY_MS = 3_600_000;
/** A digest lists at most this many notifications; more due at once make several mails. */
export const DIGEST_MAX = 50;

type Reason = string;

/**
 * The e-mail job: takes the outbox items that became due, drops those read, deleted or switched
 * off since, holds those do-not-disturb or quiet hours hold, and mails the rest — everything due
 * for one user in one run as one mail (a digest when several). Items are claimed atomically, so
 * with several nodes each is mailed by one; a failed send is retried with back-off.
 */
export class MailSender {
  readonly workerId = `${hostname()}:${process.pid}:${randomHex(4)}`;

  constructor(
    private readonly deps: MailDeps,
    private readonly transport: MailTransport,
    private readonly links: UnsubscribeLinks,
    private readonly baseUrl: string,
  ) {}

  async sendDue(signal: AbortSignal): Promise<void> {
    const { store, clock } = this.deps;
    while (!signal.aborted) {
      const now = clock.now();
      const claimed = await store.mailOutbox.claimDue(this.workerId, now, now + CLAIM_MS, USERS_PER_CLAIM);
      if (!claimed.length) return;
      for (const [userId, items] of groupBy(claimed, (item) => item.userId)) {
        if (signal.aborted) return; // unfinished claims lapse and are taken again
        await this.mailUser(userId, items);
      }
    }
  }

  /** Ends (or puts back) items and counts them; `metric` names the outcome where the state alone does not. */
  private finish(items: OutboxItem[], outcome: Partial<OutboxOutcome> & Pick<OutboxOutcome, 'state'>, metric: string = outcome.state): Promise<void> {
    const now = this.deps.clock.now();
    this.deps.metrics.mailItems.inc({ outcome: metric }, items.length);
    return this.deps.store.mailOutbox.finish(
      items.map((i) => i.id),
      this.workerId,
      { dueAt: now, lastError: '', mailId: null, attempted: false, ...outcome },
      now,
    );
  }

  private cancel(items: OutboxItem[], reason: Reason): Promise<void> {
    return this.finish(items, { state: 'cancelled', lastError: reason });
  }

  /** One user's due items: each checked again, the rest mailed together. */
  private async mailUser(userId: number, items: OutboxItem[]): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const user = await store.users.byId(userId);
    if (!user || !user.active) return this.cancel(items, 'the user is deactivated');
    const ready: { item: OutboxItem; row: NotificationRow }[] = [];
    for (const item of items) {
      const row = await store.notifications.byId(item.notificationId);
      if (!row || row.userId !== userId || row.read) {
        await this.cancel([item], 'read or deleted before it was sent');
        continue;
      }
      if (row.messageOut === MAIL_SKIP) {
        await this.cancel([item], 'MESSAGE_OUT is #SKIP#');
        continue;
      }
      const decision = await decide({ store, clock }, userId, item.typeKey, 'email', now);
      if (decision.action === 'off') {
        await this.cancel([item], `e-mail is switched off for ${item.typeKey}`);
      } else if (decision.action === 'hold') {
        const until = decision.until ?? now + DND_RECHECK_MS;
        await this.finish([item], { state: 'queued', dueAt: until, lastError: decision.reason === 'dnd' ? 'held: do not disturb' : 'held: quiet hours' }, 'held');
      } else {
        ready.push({ item, row });
      }
    }
    if (!ready.length) return;
    const due = ready.map((r) => r.item);
    if (!user.email) return this.cancel(due, 'no e-mail address in the user profile');
    for (let i = 0; i < ready.length; i += DIGEST_MAX) await this.send(user, ready.slice(i, i + DIGEST_MAX));
  }

  private async send(user: User, ready: { item: OutboxItem; row: NotificationRow }[]): Promise<void> {
    const { store, clock, config, log } = this.deps;
    const items = ready.map((r) => r.item);
    const mail = await composeMail({ store, links: this.links, baseUrl: this.baseUrl }, user, ready.map((r) => ({ row: r.row, typeKey: r.item.typeKey })));
    const mailId = await store.mailOutbox.saveMessage({ userId: user.id, recipient: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, createdAt: clock.now() });
    const t = this.transport;
    if (t.kind === 'none') return this.finish(items, { state: 'captured', mailId, lastError: 'not sent: NOTIFY24_SMTP_URL is not set' });
    if (t.kind === 'broken') return this.finish(items, { state: 'failed', mailId, lastError: t.reason, attempted: true });
    try {
      await t.send(mail, config.mailFrom);
      await this.finish(items, { state: 'sent', mailId, attempted: true });
    } catch (err) {
      const attempts = Math.max(...items.map((i) => i.attempts)) + 1;
      const reason = `SMTP: ${(err as Error).message}`;
      const givenUp = attempts >= config.mailMaxAttempts;
      log.warn(givenUp ? 'e-mail failed, given up' : 'e-mail failed, will retry', { user_id: user.id, mail_id: mailId, attempts, reason });
      const retryIn = Math.min(config.mailRetryBaseMs * 2 ** (attempts - 1), MAX_RETRY_MS);
      await this.finish(items, { state: givenUp ? 'failed' : 'queued', dueAt: clock.now() + retryIn, mailId, lastError: reason, attempted: true }, givenUp ? 'failed' : 'retry');
    }
  }
}
