/** Web Push records as the store hands them out: camelCase, Unix milliseconds. */

/** The server's VAPID key pair (RFC 8292), URL-safe base64 without padding. */
export interface VapidKeys {
  /** The uncompressed P-256 point (65 bytes): what browsers take as `applicationServerKey`. */
  publicKey: string;
  /** The private scalar (32 bytes). */
  privateKey: string;
}

/** One browser (device) of one user that accepts pushes: the `PushSubscription` it handed us. */
export interface PushSubscriptionRecord {
  id: number;
  userId: number;
  endpoint: string;
  /** The browser's P-256 public key for message encryption (RFC 8291), URL-safe base64. */
  p256dh: string;
  /** The browser's 16-byte authentication secret, URL-safe base64. */
  auth: string;
  userAgent: string;
  createdAt: number;
  lastSuccessAt: number | null;
  /** What the push service answered the last failed attempt ('' when the last one worked). */
  lastError: string;
}

export type NewPushSubscription = Pick<PushSubscriptionRecord, 'userId' | 'endpoint' | 'p256dh' | 'auth' | 'userAgent' | 'createdAt'>;

/** A notification waiting to be pushed to one subscription. */
export interface PushDelivery {
  id: number;
  subscriptionId: number;
  notificationId: number;
  userId: number;
  dueAt: number;
  /** Attempts started so far, the claimed one included. */
  attempts: number;
}

export interface WebPushRepo {
  vapidKeys(): Promise<VapidKeys | null>;
  /** Stores `candidate` unless a pair exists; answers the pair that is kept (several nodes may race). */
  claimVapidKeys(candidate: VapidKeys): Promise<VapidKeys>;

  /**
   * Adds a subscription, or takes over the one with the same endpoint (a browser has one per
   * site: another user signing in on it and switching push on makes it theirs).
   */
  subscribe(s: NewPushSubscription): Promise<PushSubscriptionRecord>;
  /** Deletes the user's subscription with this endpoint; false when there is none. */
  unsubscribe(userId: number, endpoint: string): Promise<boolean>;
  /** Deletes a subscription (and what waits for it); false when it was gone already. */
  remove(id: number): Promise<boolean>;
  /** Deletes the user's oldest subscriptions beyond `keep`; answers how many went. */
  trim(userId: number, keep: number): Promise<number>;
  byId(id: number): Promise<PushSubscriptionRecord | null>;
  /** A user's subscriptions, or everyone's when `userId` is null; newest first. */
  list(userId: number | null): Promise<PushSubscriptionRecord[]>;
  noteResult(id: number, at: number, error: string): Promise<void>;

  /** Queues `notificationId` for each subscription its recipient has now; answers how many. */
  enqueue(notificationId: number, userId: number, now: number): Promise<number>;
  /**
   * SQLite, inside a transaction (see NotificationRepo.beginRun): until `endRun`, a user found
   * without subscriptions has nothing queued for them without a statement.
   */
  beginRun?(): void;
  endRun?(): void;
  /** Claims due deliveries for `worker` until `until` (one node per row), counting an attempt. */
  claimDue(worker: string, now: number, until: number, limit: number): Promise<PushDelivery[]>;
  /** Done with a delivery (sent, given up, or nothing left to send). */
  finish(id: number): Promise<void>;
  /** Puts a claimed delivery back for `dueAt`; `countAttempt` false gives the claimed attempt back. */
  reschedule(id: number, dueAt: number, countAttempt: boolean): Promise<void>;
  pendingCount(): Promise<number>;
}
