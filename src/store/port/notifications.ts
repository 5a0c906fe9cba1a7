/** A stored notification. Times are Unix milliseconds. */
export interface NotificationRow {
  id: number;
  userId: number;
  authorId: number;
  /** 1 confirm, 2 personal, 4 system. */
  type: number;
  module: string;
  event: string;
  tag: string;
  subTag: string;
  title: string;
  text: string;
  /** Text for external channels (MESSAGE_OUT); '' when none. */
  messageOut: string;
  read: boolean;
  buttons: string;
  params: string;
  /** The sending OAuth application's client id, so confirm/answer events reach it. */
  senderClientId: string;
  /** Full owner of tag and sub-tag (see notify/tags.ts); '' when untagged. */
  tagOwner: string;
  createdAt: number;
}

export type NewNotification = Omit<NotificationRow, 'id' | 'read'>;

/** What `insertSent` wrote: the row (as insertRow answers it), the chat, the web pushes queued, the unread count after it. */
export interface SentNotification {
  row: NotificationRow;
  chatId: number;
  pushes: number;
  unread: number;
}

/** What a listing prints of a notification: the columns a page reads (the rest stay on disk). */
export type ListedNotification = Omit<NotificationRow, 'userId' | 'messageOut' | 'senderClientId' | 'tagOwner'>;

/** One stage of a page: confirms or the other notifications, newest first, older than `beforeId` when set. */
export interface PageStage {
  confirm: boolean;
  beforeId: number | null;
}

/** What a page's header prints: the user's chat and counters. */
export interface PageHead {
  chatId: number;
  total: number;
  unread: number;
}

/**
 * What a page is made of, read in one statement: the head (null before the user's first
 * notification) and, in page order, the id and read state of each notification on it.
 */
export interface PageSkeleton {
  head: PageHead | null;
  ids: number[];
  read: boolean[];
}

/** What tag replacement needs of a notification it removed. */
export type ReplacedNotification = Pick<NotificationRow, 'id' | 'authorId' | 'params'>;

/** Events of one module ('' = of any module), for GROUP_TAG. */
export interface EventGroup {
  module: string;
  events: string[];
}

/** im.notify.history.search filters, already normalised. */
export interface NotificationSearch {
  words: string[];
  types: string[];
  from: number | null;
  /** Exclusive upper bound. */
  to: number | null;
  authors: number[];
  confirmOnly: boolean;
  /** A notification must match one of these when not empty. */
  eventGroups: EventGroup[];
  lastId: number | null;
  limit: number | null;
}

export interface NotificationRepo {
  search(userId: number, f: NotificationSearch): Promise<NotificationRow[]>;
  searchCount(userId: number, f: NotificationSearch): Promise<number>;
  /** The (module, event) pairs the user's notifications carry, with how many of each. */
  types(userId: number): Promise<{ module: string; event: string; count: number }[]>;
  insert(n: NewNotification): Promise<number>;
  /** Like insert, answering the row as a read would return it (so the sender need not read it back). */
  insertRow(n: NewNotification): Promise<NotificationRow>;
  /**
   * PostgreSQL only (SQLite has no data-modifying WITH): a send without tag replacement as one
   * statement, atomic on its own — the chat claimed, the row inserted, the counters bumped, the
   * e-mail queued when `mail` is given, a web push queued per subscription. One round trip,
   * and the user's counters row is locked for that statement only.
   */
  insertSent?(n: NewNotification, mail: { typeKey: string; dueAt: number } | null): Promise<SentNotification>;
  /**
   * SQLite, inside a transaction, for a run of writes none of which is rolled back alone (no
   * savepoint in between: a failure rolls back the whole transaction, and what the repository
   * learned with it). Until `endRun`, counter changes are summed per user in memory (a read of
   * the counters writes them first) and a user's chat, once known, is not looked up again.
   */
  beginRun?(): void;
  /** Writes the counter changes the run summed, and ends it. */
  endRun?(): Promise<void>;
  byId(id: number): Promise<NotificationRow | null>;
  /** Deletes the recipient's notifications carrying `tag` of this owner (both types); returns them, oldest first. */
  deleteByTag(userId: number, tag: string, owner: string): Promise<ReplacedNotification[]>;
  /** One page in the order the API shows: id desc (ids and dates grow together). */
  page(userId: number, confirm: boolean, beforeId: number | null, limit: number | null): Promise<NotificationRow[]>;
  /**
   * Up to `limit` notifications (null: no limit) of the stages in order — the first stage's,
   * then the next one's while room is left — read in one statement with only the listed columns.
   */
  listStages(userId: number, stages: PageStage[], limit: number | null): Promise<ListedNotification[]>;
  /**
   * The head and the ids of a page of `listStages`, in one statement and without the texts:
   * the page's JSON is rendered from cached fragments (src/notify/page-json.ts), so only the
   * rows not rendered yet are read whole (`listByIds`).
   */
  pageSkeleton(userId: number, stages: PageStage[], limit: number | null): Promise<PageSkeleton>;
  /** The user's notifications among `ids` with the listed columns, in no particular order. */
  listByIds(userId: number, ids: number[]): Promise<ListedNotification[]>;
  /** The chat id and counters in one read; null before the user's first notification. */
  pageHead(userId: number): Promise<PageHead | null>;
  count(userId: number, unreadOnly: boolean): Promise<number>;
  countUnreadConfirms(userId: number): Promise<number>;
  setRead(userId: number, ids: number[], read: boolean): Promise<number>;
  /**
   * PostgreSQL only: marks the user's `ids` read and, when that changed any, cancels their
   * queued e-mails (as `MailOutboxRepo.cancelFor` at `now`), in one statement; answers how
   * many it marked, or null (nothing done) when the ids do not fit one statement.
   */
  readAtOnce?(userId: number, ids: number[], now: number): Promise<number | null>;
  /**
   * Whether `setRead` would change anything: one of the user's `ids` is in the other read state.
   * At once (no promise) when the store could read it without waiting (SQLite, one id).
   */
  anyToMark(userId: number, ids: number[], read: boolean): boolean | Promise<boolean>;
  /** Marks every notification of the user with id >= fromId (0: all), skipping confirms when asked. */
  setReadFrom(userId: number, fromId: number, read: boolean, skipConfirms: boolean): Promise<number>;
  /** Ids of the user's notifications that share a non-empty tag with one of `ids` (those included). */
  sameTagIds(userId: number, ids: number[]): Promise<number[]>;
  deleteIds(userId: number, ids: number[]): Promise<number[]>;
  /** Every recipient's notifications with this full stored tag / sub-tag of this owner; returns [id, userId] pairs. */
  deleteAllByTag(column: 'tag' | 'sub_tag', value: string, owner: string): Promise<{ id: number; userId: number }[]>;
  /** The user's notification chat id, or null before their first notification. */
  chatId(userId: number): Promise<number | null>;
  /**
   * The user's chat id, created if missing. Inside a transaction it also locks the chat row
   * until commit: a recipient's writes are serialised across nodes, so tag replacement leaves
   * one notification per tag and ids commit in the order they were drawn.
   */
  claimChat(userId: number): Promise<number>;
  purgeOlderThan(ms: number): Promise<number>;
}
