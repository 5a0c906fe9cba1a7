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
  byId(id: number): Promise<NotificationRow | null>;
  /** Deletes the recipient's notifications carrying `tag` of this owner (both types); returns them, oldest first. */
  deleteByTag(userId: number, tag: string, owner: string): Promise<ReplacedNotification[]>;
  /** One page in the order the API shows: id desc (ids and dates grow together). */
  page(userId: number, confirm: boolean, beforeId: number | null, limit: number | null): Promise<NotificationRow[]>;
  count(userId: number, unreadOnly: boolean): Promise<number>;
  countUnreadConfirms(userId: number): Promise<number>;
  setRead(userId: number, ids: number[], read: boolean): Promise<number>;
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
