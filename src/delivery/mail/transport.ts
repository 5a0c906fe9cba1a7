import type * as Nodemailer from 'nodemailer';
import type { Config } from '../../config.ts';
import { lazyRequire } from '../../lib/lazy-require.ts';
import type { Logger } from '../../lib/log.ts';
import type { RenderedMail } from './render.ts';

/**
 * How mails leave: `none` without NOTIFY24_SMTP_URL (mails are rendered and kept, not sent),
 * `broken` when the URL cannot be used (each mail is marked failed with `reason`), else SMTP.
 */
export type MailTransport =
  | { kind: 'none' }
  | { kind: 'broken'; reason: string }
  | { kind: 'smtp'; send(mail: RenderedMail, from: string): Promise<string>; close(): void };

/** Bounds on one SMTP conversation, so a stuck server cannot hold a claim for minutes. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Loaded only when an SMTP URL is set. */
const nodemailer = lazyRequire<typeof Nodemailer>('nodemailer');

/** The password is never logged or shown. */
export function redactedSmtpUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function openMailTransport(config: Pick<Config, 'smtpUrl'>, log: Pick<Logger, 'error' | 'info'>): MailTransport {
  const url = config.smtpUrl;
  if (!url) return { kind: 'none' };
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || !['smtp:', 'smtps:'].includes(parsed.protocol) || !parsed.hostname) {
    const reason = `NOTIFY24_SMTP_URL is not an smtp:// or smtps:// URL with a host (${redactedSmtpUrl(url)}); fix it and restart — e-mails stay in the outbox as failed`;
    log.error(reason);
    return { kind: 'broken', reason };
  }
  const transporter = nodemailer().createTransport({ url, ...TIMEOUTS });
  log.info('e-mail through SMTP', { smtp: redactedSmtpUrl(url) });
  return {
    kind: 'smtp',
    async send(mail, from) {
      const info = await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
      return String(info.messageId ?? '');
    },
    close: () => transporter.close(),
  };
}
