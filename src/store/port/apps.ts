/** Applications, OAuth and events as the store hands them out: camelCase, Unix milliseconds. */

export interface App {
  id: number;
  clientId: string;
  clientSecretHash: string;
  name: string;
  code: string;
  version: number;
  scopes: string[];
  /** Where events without a binding of their own (ONAPPINSTALL) are posted. */
  handlerUrl: string;
  /** Where /oauth/authorize/ sends the user back with the code. */
  redirectUri: string;
  /** False once removed: its tokens stop working (APPLICATION_NOT_FOUND). */
  active: boolean;
  /** True once installed on this server (ONAPPINSTALL queued). */
  installed: boolean;
  installedAt: number | null;
  /** Sent with every event so the application can tell our deliveries from forgeries. */
  applicationToken: string;
  createdAt: number;
}

export type NewApp = Pick<App, 'clientId' | 'clientSecretHash' | 'name' | 'code' | 'scopes' | 'handlerUrl' | 'redirectUri' | 'applicationToken'>;

export interface AppRepo {
  create(app: NewApp, now: number): Promise<App>;
  byId(id: number): Promise<App | null>;
  /** Active or not: callers decide what a removed application means for them. */
  byClientId(clientId: string): Promise<App | null>;
  list(): Promise<App[]>;
  /** Changes what an administrator may edit; false when there is no active application with this id. */
  update(id: number, fields: Partial<Pick<App, 'name' | 'scopes' | 'handlerUrl' | 'redirectUri'>>): Promise<boolean>;
  /** Marks the application removed; false when there was no active one. */
  remove(id: number): Promise<boolean>;
  /** Marks it installed; true only for the call that changed it (so ONAPPINSTALL is sent once). */
  markInstalled(id: number, now: number): Promise<boolean>;
  /** Marks an active application installed again (an administrator's reinstall), whatever it was. */
  markReinstalled(id: number, now: number): Promise<boolean>;
  hasGrant(appId: number, userId: number): Promise<boolean>;
  /** Records the user's approval; true when it is new. */
  addGrant(appId: number, userId: number, now: number): Promise<boolean>;
  /** This installation's member_id, or null before it was first needed. */
  memberId(): Promise<string | null>;
  /** Stores `candidate` as the member_id unless one exists; answers the one kept (two nodes may race). */
  claimMemberId(candidate: string): Promise<string>;
}

export interface OAuthCode {
  appId: number;
  userId: number;
  scopes: string[];
  expiresAt: number;
}

export interface OAuthToken {
  id: number;
  appId: number;
  userId: number;
  scopes: string[];
  accessHash: string;
  refreshHash: string | null;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  refreshUsedAt: number | null;
  revoked: boolean;
  createdAt: number;
}

export type NewOAuthToken = Pick<OAuthToken, 'appId' | 'userId' | 'scopes' | 'accessHash' | 'refreshHash' | 'accessExpiresAt' | 'refreshExpiresAt'>;

export interface OAuthRepo {
  saveCode(codeHash: string, code: OAuthCode): Promise<void>;
  /** Removes and returns the code: a code is good for one exchange only, even under races. */
  takeCode(codeHash: string): Promise<OAuthCode | null>;
  saveToken(token: NewOAuthToken, now: number): Promise<OAuthToken>;
  byAccessHash(accessHash: string): Promise<OAuthToken | null>;
  byRefreshHash(refreshHash: string): Promise<OAuthToken | null>;
  /** Spends a refresh token; true only for the one caller that spent it. */
  useRefresh(id: number, now: number): Promise<boolean>;
  /** Revokes every token of an application (or of one of its users). */
  revokeFor(appId: number, userId?: number): Promise<number>;
  /** Deletes codes and tokens no longer usable at `now`. */
  purgeExpired(now: number): Promise<void>;
}

export interface EventBinding {
  id: number;
  appId: number;
  /** Upper-case event name. */
  event: string;
  handler: string;
  /** The user whose tokens the handler gets; 0 = the user who caused the event. */
  authUserId: number;
  boundBy: number;
  createdAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One delivery attempt as logged in its row. */
export interface DeliveryAttempt {
  /** When it started, Unix ms. */
  at: number;
  /** The handler's HTTP status, or null when none came (refused, timed out). */
  status: number | null;
  /** Why it failed; null on success. */
  error: string | null;
  /** How long it took, ms. */
  ms: number;
}

export interface EventDelivery {
  id: number;
  appId: number;
  /** The binding it was queued for (`event_handler_id`); null for ONAPPINSTALL. */
  bindingId: number | null;
  event: string;
  handler: string;
  /** User the `auth[...]` tokens are issued for; 0 = none (no tokens sent). */
  userId: number;
  data: Record<string, unknown>;
  /** Whether `auth[refresh_token]` is sent (install-type events only, as on the portal). */
  withRefresh: boolean;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  /** Every attempt so far, oldest first. */
  log: DeliveryAttempt[];
  createdAt: number;
  deliveredAt: number | null;
}

export type NewDelivery = Pick<EventDelivery, 'appId' | 'bindingId' | 'event' | 'handler' | 'userId' | 'data' | 'withRefresh'>;

export interface EventRepo {
  /** Adds a binding; null when the same one exists already. */
  bind(b: Omit<EventBinding, 'id' | 'createdAt'>, now: number): Promise<EventBinding | null>;
  /** Removes matching bindings; `authUserId` undefined matches any; returns how many. */
  unbind(appId: number, event: string, handler: string, authUserId?: number): Promise<number>;
  bindings(appId: number): Promise<EventBinding[]>;
  bindingsFor(appId: number, event: string): Promise<EventBinding[]>;
  enqueue(items: NewDelivery[], now: number): Promise<void>;
  /**
   * Claims up to `limit` due deliveries for `worker` until `until`: a row whose claim is
   * free or lapsed is taken by exactly one worker, on every engine.
   */
  claimDue(worker: string, now: number, until: number, limit: number): Promise<EventDelivery[]>;
  /** Records an attempt's outcome and releases the claim (only if `worker` still holds it). */
  finishAttempt(
    id: number,
    worker: string,
    outcome: { status: DeliveryStatus; log: DeliveryAttempt[]; nextAttemptAt: number; deliveredAt: number | null },
  ): Promise<void>;
  /** Deletes delivered and failed rows created before `before`. */
  purgeFinished(before: number): Promise<void>;
  deliveries(filter: { appId?: number; status?: DeliveryStatus; limit: number }): Promise<EventDelivery[]>;
  byId(id: number): Promise<EventDelivery | null>;
  /**
   * Puts a failed delivery back in the queue, due at `now`, with a fresh count of attempts (its
   * log is kept); null when it is not a failed one.
   */
  retry(id: number, now: number): Promise<EventDelivery | null>;
  /** Deliveries still to be posted or retried, on every node (the queue depth metric). */
  pendingCount(): Promise<number>;
}
