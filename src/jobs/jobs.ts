import { EventDeliveryWorker, type DeliveryDeps } from '../apps/delivery.ts';
import type { Config } from '../config.ts';
import { purgeExpired, retentionCutoff } from '../notify/retention.ts';
import type { WebPushWorker } from '../webpush/worker.ts';
import type { Job } from './scheduler.ts';
import { MailSender, type MailDeps } from '../delivery/mail/sender.ts';
import type { MailTransport } from '../delivery/mail/transport.ts';
import type { UnsubscribeLinks } from '../delivery/mail/unsubscribe.ts';

/** The job `AppEventQueue` wakes when it queued deliveries. */
export const EVENT_DELIVERY = 'event-delivery';
/** The job a sent notification wakes when it queued pushes to browsers. */
export const WEB_PUSH = 'web-push';

/** The job that mails unread notifications. */
export const MAIL_OUTBOX = 'mail-outbox';

export interface JobDeps extends DeliveryDeps {
  config: DeliveryDeps['config'] & MailDeps['config'] & Pick<Config, 'retentionDays' | 'eventPollMs' | 'retentionPurgeMs' | 'sessionPurgeMs' | 'oauthPurgeMs' | 'mailPollMs' | 'pushPollMs'>;
  log: DeliveryDeps['log'] & MailDeps['log'];
  metrics: DeliveryDeps['metrics'] & MailDeps['metrics'];
  mailTransport: MailTransport;
  unsubscribeLinks: UnsubscribeLinks;
  webPush: WebPushWorker;
}

/**
 * Every background job of a server, with its interval setting. A job that takes work from a
 * queue shared by several nodes must claim its rows atomically (as `claimDue` does), so two
 * nodes never do the same work; purges are idempotent and may run on every node.
 */
export function serverJobs(deps: JobDeps, baseUrl: string): Job[] {
  const { store, clock, config } = deps;
  const delivery = new EventDeliveryWorker(deps, baseUrl);
  const mail = new MailSender(deps, deps.mailTransport, deps.unsubscribeLinks, baseUrl);
  return [
    { name: EVENT_DELIVERY, everyMs: config.eventPollMs, run: (signal) => delivery.deliverDue(signal) },
    { name: MAIL_OUTBOX, everyMs: config.mailPollMs, run: (signal) => mail.sendDue(signal) },
    { name: WEB_PUSH, everyMs: config.pushPollMs, run: (signal) => deps.webPush.deliverDue(signal) },
    {
      name: 'retention',
      everyMs: config.retentionPurgeMs,
      run: async () => {
        await purgeExpired(deps);
        await store.events.purgeFinished(retentionCutoff(deps));
        await store.mailOutbox.purgeFinished(retentionCutoff(deps));
      },
    },
    { name: 'session-purge', everyMs: config.sessionPurgeMs, run: () => store.sessions.purgeExpired(clock.now()) },
    { name: 'oauth-purge', everyMs: config.oauthPurgeMs, run: () => store.oauth.purgeExpired(clock.now()) },
  ];
}
