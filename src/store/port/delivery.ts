/** Delivery settings and the e-mail outbox as the store hands them out. Times are Unix ms. */

/** Where a notification can reach a person: the center page, e-mail, the browser's push. */
export type Channel = 'center' | 'email' | 'push';

/** One switch: notification type (`module|event`) × channel. */
export interface DeliveryRule {
  typeKey: string;
  channel: Channel;
  enabled: boolean;
}

/** A switch to store; `enabled: null` removes it (back to the level below). */
export interface DeliveryRuleChange {
  typeKey: string;
  channel: Channel;
  enabled: boolean | null;
}

/** A user's do-not-disturb switch and quiet hours (`HH:MM`, '' when none), in their time zone. */
export interface QuietSettings {
  dnd: boolean;
  quietFrom: string;
  quietTo: string;
}

export interface DeliverySettingsRepo {
  /** The administrator's defaults for every user. */
  defaults(): Promise<DeliveryRule[]>;
  setDefaults(changes: DeliveryRuleChange[], now: number): Promise<void>;
  /** What one user switched themselves. */
  overrides(userId: number): Promise<DeliveryRule[]>;
  setOverrides(userId: number, changes: DeliveryRuleChange[], now: number): Promise<void>;
  /** Off and no quiet hours when the user never set them. */
  quiet(userId: number): Promise<QuietSettings>;
  setQuiet(userId: number, quiet: QuietSettings, now: number): Promise<void>;
}

/**
 * `queued`: waiting for its delay, a hold or a retry; `sent`: the SMTP server took it;
 * `failed`: given up (attempts used up, or SMTP not configured correctly); `cancelled`: read,
 * deleted, switched off or `#SKIP#` first; `captured`: rendered but not sent (no SMTP set up).
 */
export type OutboxState = 'queued' | 'sent' | 'failed' | 'cancelled' | 'captured';

export interface OutboxItem {
  id: number;
  userId: number;
  notificationId: number;
  typeKey: string;
  state: OutboxState;
  dueAt: number;
  attempts: number;
  /** Why it failed, was cancelled or is held; '' when nothing to say. */
  lastError: string;
  /** The mail rendered for its last attempt (a digest shares one), or null before any. */
  mailId: number | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface NewOutboxItem {
  userId: number;
  notificationId: number;
  typeKey: string;
  dueAt: number;
}

/** A rendered e-mail, kept so the console shows exactly what went (or would have gone) out. */
export interface MailMessage {
  id: number;
  userId: number;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  createdAt: number;
}

export type NewMailMessage = Omit<MailMessage, 'id'>;

/** How a claimed item ends (or is put back). */
export interface OutboxOutcome {
  state: OutboxState;
  /** When it is next due (used when the state stays `queued`). */
  dueAt: number;
  lastError: string;
  mailId: number | null;
  /** Counts an attempt at sending (not for holds or cancellations). */
  attempted: boolean;
}

export interface MailOutboxRepo {
  enqueue(item: NewOutboxItem, now: number): Promise<void>;
  /**
   * SQLite, inside a transaction (see NotificationRepo.beginRun): until `endRun`, queued items
   * are kept and written together (multi-row INSERTs, in order) before any other statement on
   * the outbox, or by `endRun`.
   */
  beginRun?(): void;
  endRun?(): Promise<void>;
  /**
   * Claims the due queued items of up to `users` users for `worker` until `until`: every due
   * item of a user it takes (so one digest covers them), and each item by exactly one worker.
   */
  claimDue(worker: string, now: number, until: number, users: number): Promise<OutboxItem[]>;
  /** Ends or reschedules claimed items (only those `worker` still holds). */
  finish(ids: number[], worker: string, outcome: OutboxOutcome, now: number): Promise<void>;
  /** Cancels the user's queued items whose notification was read or deleted; returns how many. */
  cancelSettled(userId: number, now: number): Promise<number>;
  /**
   * Cancels the user's queued items of exactly these notifications (just read or deleted): the
   * cost follows the ids, not the user's queue, which grows with every unread notification.
   * Ids of other users' notifications cancel nothing.
   */
  cancelFor(userId: number, notificationIds: readonly number[], now: number): Promise<number>;
  /** Puts failed items back in the queue (the console's retry). */
  requeue(ids: number[], now: number): Promise<number>;
  saveMessage(m: NewMailMessage): Promise<number>;
  message(id: number): Promise<MailMessage | null>;
  list(filter: { state?: OutboxState; userId?: number; limit: number }): Promise<OutboxItem[]>;
  byId(id: number): Promise<OutboxItem | null>;
  /** Deletes finished items (and mails no item points to) finished before `before`. */
  purgeFinished(before: number): Promise<void>;
  /** Items still queued, on every node (the outbox depth metric). */
  queuedCount(): Promise<number>;
  /** The key one-click unsubscribe links are signed with: `candidate` unless one is kept. */
  claimSigningKey(candidate: string): Promise<string>;
}
