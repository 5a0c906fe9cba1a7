import { composeMail } from '../../delivery/mail/compose.ts';
import type { UnsubscribeLinks } from '../../delivery/mail/unsubscribe.ts';
import { webErrors } from '../../errors/web.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Config } from '../../config.ts';
import type { MailMessage, OutboxItem, OutboxState } from '../../store/port/delivery.ts';
import type { Store } from '../../store/port/store.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import { field } from './console-fields.ts';

export interface OutboxConsoleDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'publicUrl'>;
  unsubscribeLinks: UnsubscribeLinks;
  /** Runs the e-mail job now (a retried mail should not wait for its next round). */
  wakeMail: () => void;
}

const STATES: OutboxState[] = ['queued', 'sent', 'failed', 'cancelled', 'captured'];

function publicItem(i: OutboxItem, login: string | undefined) {
  return {
    id: i.id, user_id: i.userId, user_login: login ?? null, notification_id: i.notificationId, type: i.typeKey, state: i.state,
    due_at: i.dueAt, attempts: i.attempts, last_error: i.lastError, mail_id: i.mailId, created_at: i.createdAt, finished_at: i.finishedAt,
  };
}

function publicMail(m: Pick<MailMessage, 'recipient' | 'subject' | 'text' | 'html' | 'headers'>, preview: boolean) {
  return { to: m.recipient, subject: m.subject, text: m.text, html: m.html, headers: m.headers, preview };
}

/** The e-mail outbox in the console: every item with its state, the mail rendered for it, retry. */
export function consoleOutbox(deps: OutboxConsoleDeps) {
  const { store, clock } = deps;

  async function item(req: HttpRequest): Promise<OutboxItem> {
    const found = await store.mailOutbox.byId(field.id(req.params.id));
    if (!found) throw webErrors.mailNotFound();
    return found;
  }

  return {
    async list(req: HttpRequest): Promise<Reply> {
      const q = req.url.searchParams;
      const state = q.get('state') || undefined;
      if (state !== undefined && !STATES.includes(state as OutboxState)) throw webErrors.badField('state', STATES.join(', '));
      const userId = q.get('user') ? field.id(q.get('user')!) : undefined;
      const limit = Math.min(500, Math.max(1, Number(q.get('limit')) || 100));
      const items = await store.mailOutbox.list({ state: state as OutboxState | undefined, userId, limit });
      const users = new Map((await store.users.byIds([...new Set(items.map((i) => i.userId))])).map((u) => [u.id, u.login]));
      return json({ items: items.map((i) => publicItem(i, users.get(i.userId))) });
    },

    /**
     * The mail an item went out in (or would have: captured, failed). An item not rendered yet
     * (still waiting for its delay) gets a preview rendered now, as it would look if sent alone.
     */
    async mail(req: HttpRequest): Promise<Reply> {
      const found = await item(req);
      const stored = found.mailId === null ? null : await store.mailOutbox.message(found.mailId);
      if (stored) return json({ item: publicItem(found, undefined), mail: publicMail(stored, false) });
      const [user, row] = await Promise.all([store.users.byId(found.userId), store.notifications.byId(found.notificationId)]);
      if (!user || !row) return json({ item: publicItem(found, undefined), mail: null });
      const baseUrl = deps.config.publicUrl ?? req.origin;
      const mail = await composeMail({ store, links: deps.unsubscribeLinks, baseUrl }, user, [{ row, typeKey: found.typeKey }]);
      return json({ item: publicItem(found, user.login), mail: publicMail({ ...mail, recipient: mail.to }, true) });
    },

    async retry(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      const found = await item(req);
      if (found.state !== 'failed' || !(await store.mailOutbox.requeue([found.id], clock.now()))) throw webErrors.mailNotFailed();
      const queued = (await store.mailOutbox.byId(found.id))!;
      deps.wakeMail();
      return json({ item: publicItem(queued, undefined) });
    },
  };
}
