import type { SqlDb } from '../engine/sql-db.ts';
import { IDS_PER_STATEMENT, idChunks, placeholders } from './query.ts';
import { storedText } from '../engine/bindable.ts';
import { SETTLED } from './mail-outbox.ts';
import { WriteGroups } from './groups.ts';
import type { ListedNotification, NewNotification, NotificationRepo, NotificationRow, NotificationSearch, PageHead, PageSkeleton, PageStage, ReplacedNotification, SentNotification } from '../port/notifications.ts';

const COLS = `id, user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, is_read, buttons, params, sender_client_id, tag_owner, created_at`;
/** The columns a listing prints (ListedNotification). */
const LISTED_COLS = `id, author_id, notify_type, module, event, tag, sub_tag, title, body, is_read, buttons, params, created_at`;

/** A row of LISTED_COLS as values, in that order. */
function listed(r: unknown[]): ListedNotification {
  return {
    id: Number(r[0]),
    authorId: Number(r[1]),
    type: Number(r[2]),
    module: String(r[3]),
    event: String(r[4]),
    tag: String(r[5]),
    subTag: String(r[6]),
    title: String(r[7]),
    text: String(r[8]),
    read: Number(r[9]) === 1,
    buttons: String(r[10]),
    params: String(r[11]),
    createdAt: Number(r[12]),
  };
}

/** One stage's SELECT (without LIMIT) and its arguments. */
function stageSelect(userId: number, stage: PageStage, columns: string): [string, unknown[]] {
  const sql = `SELECT ${columns} FROM notifications WHERE user_id = ? AND ${stage.confirm ? 'notify_type = 1' : 'notify_type <> 1'}${stage.beforeId === null ? '' : ' AND id < ?'} ORDER BY id DESC`;
  return [sql, stage.beforeId === null ? [userId] : [userId, stage.beforeId]];
}

/**
 * SQLite re-prepares a statement on every run when its LIMIT is a bare parameter (`LIMIT ?`
 * costs ~4 µs more than `LIMIT 50`); `? + 0` keeps the value bound without that.
 */
const LIMIT = ' LIMIT ? + 0';

/**
 * One stage's ids with their read state as one text: `2 * id + is_read`, comma separated, in
 * no particular order (one value crossing from the engine instead of a row per notification;
 * an ORDER BY inside the aggregate would cost SQLite a sort).
 */
function stageIdsSelect(userId: number, stage: PageStage, limit: number | null): [string, unknown[]] {
  const [sql, args] = stageSelect(userId, stage, 'id, is_read');
  return [
    `(SELECT string_agg(CAST(id * 2 + is_read AS TEXT), ',') FROM (${sql}${limit === null ? '' : LIMIT}) s)`,
    limit === null ? args : [...args, limit],
  ];
}

/** `stageIdsSelect`'s text, newest first, appended to `ids` and `read`. */
function unpackIds(text: unknown, ids: number[], read: boolean[]): void {
  if (text === null || text === undefined || text === '') return;
  const packed = digitRuns(String(text));
  // In practice the aggregate keeps the order of the stage's walk (newest first): sort only when not.
  for (let i = 1; i < packed.length; i++) {
    if (packed[i]! > packed[i - 1]!) {
      packed.sort((a, b) => b - a);
      break;
    }
  }
  for (const p of packed) {
    const isRead = p % 2 === 1;
    ids.push((p - (isRead ? 1 : 0)) / 2);
    read.push(isRead);
  }
}

/** The numbers of a comma-separated list of digits, read without a string per number. */
function digitRuns(text: string): number[] {
  const out: number[] = [];
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      out.push(n);
      n = 0;
    } else {
      n = n * 10 + (c - 48);
    }
  }
  out.push(n);
  return out;
}

function row(r: Record<string, unknown>): NotificationRow {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    authorId: Number(r.author_id),
    type: Number(r.notify_type),
    module: String(r.module),
    event: String(r.event),
    tag: String(r.tag),
    subTag: String(r.sub_tag),
    title: String(r.title),
    text: String(r.body),
    messageOut: String(r.message_out ?? ''),
    read: Number(r.is_read) === 1,
    buttons: String(r.buttons),
    params: String(r.params),
    senderClientId: String(r.sender_client_id),
    tagOwner: String(r.tag_owner ?? ''),
    createdAt: Number(r.created_at),
  };
}

/** WHERE clause and arguments for a history search. */
function searchWhere(userId: number, f: NotificationSearch): [string, unknown[]] {
  const parts = ['user_id = ?'];
  const args: unknown[] = [userId];
  // Lists are sets here (LIKE ... AND, IN): each different value is bound once.
  for (const w of new Set(f.words)) {
    parts.push('LOWER(body) LIKE ?');
    args.push(`%${w.toLowerCase()}%`);
  }
  if (f.types.length === 1) {
    const [module, event] = f.types[0]!.split('|');
    parts.push(event === undefined ? 'module = ?' : 'module = ? AND event = ?');
    args.push(...(event === undefined ? [module] : [module, event]));
  } else if (f.types.length > 1) {
    const types = [...new Set(f.types)];
    parts.push(`module IN ${placeholders(types.length)}`);
    args.push(...types);
  }
  if (f.from !== null && f.to !== null) {
    parts.push('created_at >= ? AND created_at <= ?');
    args.push(f.from, f.to);
  }
  if (f.authors.length) {
    const authors = [...new Set(f.authors)];
    parts.push(`author_id IN ${placeholders(authors.length)}`);
    args.push(...authors);
  }
  if (f.confirmOnly) parts.push('notify_type = 1');
  if (f.eventGroups.length) {
    const any = f.eventGroups.map((g) => `(${g.module ? 'module = ? AND ' : ''}event IN ${placeholders(g.events.length)})`);
    parts.push(`(${any.join(' OR ')})`);
    for (const g of f.eventGroups) args.push(...(g.module ? [g.module] : []), ...g.events);
  }
  if (f.lastId !== null) {
    parts.push('id < ?');
    args.push(f.lastId);
  }
  return [parts.join(' AND '), args];
}

/** A changed notification as the counters see it. */
interface CountedRow {
  user_id: number | string;
  notify_type: number | string;
  /** The state before a delete; absent for read-state changes (the new state is known). */
  is_read?: number | string;
}

interface CounterDelta {
  total: number;
  unread: number;
  unreadConfirms: number;
}

/** Per-user counter changes for deleted rows. */
function deletedDeltas(rows: CountedRow[]): Map<number, CounterDelta> {
  const deltas = new Map<number, CounterDelta>();
  for (const r of rows) {
    const d = deltaFor(deltas, Number(r.user_id));
    const unread = Number(r.is_read) === 0;
    d.total -= 1;
    if (unread) d.unread -= 1;
    if (unread && Number(r.notify_type) === 1) d.unreadConfirms -= 1;
  }
  return deltas;
}

/** Per-user counter changes for rows whose read state flipped to `read`. */
function readDeltas(rows: CountedRow[], read: boolean): Map<number, CounterDelta> {
  const deltas = new Map<number, CounterDelta>();
  const step = read ? -1 : 1;
  for (const r of rows) {
    const d = deltaFor(deltas, Number(r.user_id));
    d.unread += step;
    if (Number(r.notify_type) === 1) d.unreadConfirms += step;
  }
  return deltas;
}

function deltaFor(deltas: Map<number, CounterDelta>, userId: number): CounterDelta {
  let d = deltas.get(userId);
  if (!d) deltas.set(userId, (d = { total: 0, unread: 0, unreadConfirms: 0 }));
  return d;
}

/**
 * Applies counter changes in the caller's transaction. An upsert, because a user's row appears
 * with their first notification; `total + ?` is atomic, so concurrent writers never lose a change.
 */
async function adjustCounters(db: SqlDb, deltas: Map<number, CounterDelta>): Promise<void> {
  // In user order, so two transactions touching the same users lock their rows in the same order.
  for (const [userId, d] of [...deltas].sort((a, b) => a[0] - b[0])) {
    if (!d.total && !d.unread && !d.unreadConfirms) continue;
    await db.run(
      `INSERT INTO notify_counters (user_id, total, unread, unread_confirms) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET total = notify_counters.total + excluded.total,
         unread = notify_counters.unread + excluded.unread, unread_confirms = notify_counters.unread_confirms + excluded.unread_confirms`,
      [userId, d.total, d.unread, d.unreadConfirms],
    );
  }
}

/**
 * The row as a read would return it, without reading it: texts as stored, unread. Every field
 * named (not `...n`): an object of one fixed shape is several times cheaper to build.
 */
function writtenRow(id: number, n: NewNotification): NotificationRow {
  return {
    id,
    userId: n.userId,
    authorId: n.authorId,
    type: n.type,
    read: false,
    createdAt: n.createdAt,
    module: storedText(n.module),
    event: storedText(n.event),
    tag: storedText(n.tag),
    subTag: storedText(n.subTag),
    title: storedText(n.title),
    text: storedText(n.text),
    messageOut: storedText(n.messageOut),
    buttons: storedText(n.buttons),
    params: storedText(n.params),
    senderClientId: storedText(n.senderClientId),
    tagOwner: storedText(n.tagOwner),
  };
}

/**
 * `AND tag <> ''` (or `sub_tag`) when looking for a non-empty tag: the tag indexes hold only
 * tagged rows (migration 012), and a query may use them only when it says so itself (both
 * engines match a partial index's condition by the query's text, not by bound values).
 */
const tagged = (column: 'tag' | 'sub_tag', value: string) => (value === '' ? '' : ` AND ${column} <> ''`);

/** Whether one of a user's `count` ids is in the other read state: binds the user, the ids, the new state. */
const anyToMarkSql = (count: number) => `SELECT 1 FROM notifications WHERE user_id = ? AND id IN ${placeholders(count)} AND is_read <> ? LIMIT 1`;
/** `anyToMark` of one id, the common call: one text, built once. */
const ANY_TO_MARK_ONE = anyToMarkSql(1);

/**
 * The rows a read-state change really changes: those in the other state. A literal, not a
 * parameter, so that marking read can use the index of unread rows (migration 011).
 */
const unlike = (read: boolean) => (read ? 'is_read = 0' : 'is_read = 1');

const INSERT_ROW = `INSERT INTO notifications (user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, is_read, buttons, params, sender_client_id, tag_owner, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`;

/**
 * PostgreSQL: a read-state change of the rows `where` selects and its counters in one statement
 * (the UPDATE's RETURNING feeds the counter upsert); answers how many changed as `n`. Binds
 * the new state, `where`'s arguments, the step twice.
 */
function flipCountedSql(read: boolean, where: string): string {
  return `WITH flipped AS (
     UPDATE notifications SET is_read = ? WHERE ${where} AND ${unlike(read)} RETURNING user_id, notify_type
   ), counted AS (
     SELECT user_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE notify_type = 1) AS confirms FROM flipped GROUP BY user_id
   ), adjusted AS (
     INSERT INTO notify_counters (user_id, total, unread, unread_confirms)
     SELECT user_id, 0, n * ?, confirms * ? FROM counted ORDER BY user_id
     ON CONFLICT (user_id) DO UPDATE SET unread = notify_counters.unread + excluded.unread,
       unread_confirms = notify_counters.unread_confirms + excluded.unread_confirms
   )
   SELECT COALESCE(SUM(n), 0) AS n FROM counted`;
}

type SentMail = { typeKey: string; dueAt: number };

/**
 * PostgreSQL: sends that replace nothing, of one caller or several, in one statement (the chat
 * found or made, the row, counters, e-mail and web-push queues). Binds one array per column (in `input`'s order); answers a row per send by its
 * place (`ord`, from 1). Ids are drawn first (`numbered`, evaluated once), so each send gets
 * its own whatever order the rows are written in. Chats and counters are touched in user order.
 */
const SENT_MANY = `WITH input AS (
    SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
      ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::text[], ?::bigint[])
      WITH ORDINALITY AS t(user_id, author_id, notify_type, module, event, tag, sub_tag, title, body,
        message_out, buttons, params, sender_client_id, tag_owner, created_at, mailed, type_key, due_at, ord)
  ), users AS (
    SELECT DISTINCT user_id FROM input
  ), found AS (
    SELECT c.user_id, c.id FROM notify_chats c JOIN users u ON u.user_id = c.user_id
  ), made AS (
    INSERT INTO notify_chats (user_id) SELECT user_id FROM users WHERE user_id NOT IN (SELECT user_id FROM found) ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id RETURNING user_id, id
  ), numbered AS MATERIALIZED (
    SELECT i.*, nextval(pg_get_serial_sequence('notifications', 'id')) AS id FROM input i
  ), added AS (
    INSERT INTO notifications (id, user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, is_read, buttons, params, sender_client_id, tag_owner, created_at)
    SELECT id, user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, 0, buttons, params, sender_client_id, tag_owner, created_at FROM numbered
    RETURNING id
  ), written AS (
    -- The queues are fed from the inserted rows, so they are written after them (their triggers see the row).
    SELECT n.* FROM numbered n JOIN added a ON a.id = n.id
  ), counted AS (
    INSERT INTO notify_counters (user_id, total, unread, unread_confirms)
    SELECT user_id, COUNT(*), COUNT(*), COUNT(*) FILTER (WHERE notify_type = 1) FROM input GROUP BY user_id ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET total = notify_counters.total + excluded.total, unread = notify_counters.unread + excluded.unread,
      unread_confirms = notify_counters.unread_confirms + excluded.unread_confirms
    RETURNING user_id, unread
  ), mailed AS (
    INSERT INTO mail_outbox (user_id, notification_id, type_key, due_at, created_at) SELECT user_id, id, type_key, due_at, created_at FROM written WHERE mailed = 1
  ), pushed AS (
    INSERT INTO push_deliveries (subscription_id, notification_id, user_id, due_at, created_at)
    SELECT s.id, n.id, s.user_id, n.created_at, n.created_at FROM push_subscriptions s JOIN written n ON n.user_id = s.user_id RETURNING notification_id
  )
  SELECT n.ord, n.id, COALESCE(f.id, m.id) AS chat_id, k.unread, (SELECT COUNT(*) FROM pushed p WHERE p.notification_id = n.id) AS pushes
  FROM numbered n LEFT JOIN found f ON f.user_id = n.user_id LEFT JOIN made m ON m.user_id = n.user_id LEFT JOIN counted k ON k.user_id = n.user_id`;

/** One caller's read of ids (`readAtOnce`). */
interface ReadOfIds {
  userId: number;
  ids: number[];
  now: number;
}

/**
 * PostgreSQL: the reads of ids of one caller or several in one statement (marks, counters and
 * the e-mail cancel of `markRead`). Binds
 * arrays of (user, id, caller, now) and SETTLED; answers how many each caller (`req`) marked.
 * A caller's queued e-mails are cancelled when it marked any, as `markRead` does.
 */
const READ_MANY = `WITH input AS (
    SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::int[], ?::bigint[]) AS t(user_id, id, req, now)
  ), flipped AS (
    UPDATE notifications n SET is_read = 1 FROM input i WHERE n.user_id = i.user_id AND n.id = i.id AND n.is_read = 0
    RETURNING n.user_id, n.notify_type, i.req
  ), counted AS (
    SELECT user_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE notify_type = 1) AS confirms FROM flipped GROUP BY user_id
  ), adjusted AS (
    INSERT INTO notify_counters (user_id, total, unread, unread_confirms)
    SELECT user_id, 0, -n, -confirms FROM counted ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET unread = notify_counters.unread + excluded.unread,
      unread_confirms = notify_counters.unread_confirms + excluded.unread_confirms
  ), cancelled AS (
    UPDATE mail_outbox m SET state = 'cancelled', finished_at = i.now, last_error = ?
    FROM input i WHERE m.notification_id = i.id AND m.user_id = i.user_id AND m.state = 'queued' AND m.claimed_by IS NULL
      AND i.req IN (SELECT req FROM flipped)
  )
  SELECT req, COUNT(*) AS n FROM flipped GROUP BY req`;

export class SqlNotificationRepo implements NotificationRepo {
  readonly insertSent?: NotificationRepo['insertSent'];
  readonly readAtOnce?: NotificationRepo['readAtOnce'];

  readonly beginRun?: () => void;
  /** Counter changes summed during a run (`beginRun`), per user; null outside one. */
  private deferred: Map<number, CounterDelta> | null = null;
  /** Chats known during a run, by user. */
  private chats: Map<number, number> | null = null;

  constructor(private readonly db: SqlDb) {
    if (db.dialect === 'postgres') {
      if (db.transaction) {
        this.insertSent = (n, mail) => this.insertSentAtOnce(n, mail);
        this.readAtOnce = (userId, ids, now) => this.readAtOnceSql(userId, ids, now);
      } else {
        // Outside a transaction the writes of concurrent callers share statements (WriteGroups).
        // Sends one group at a time: each group is a commit PostgreSQL syncs, and its fixed cost
        // (the statement, the sync) is most of a small group's. With one in flight the next
        // gathers everything that came meanwhile: fewer statements and syncs for PostgreSQL, and
        // 3–8 % less server CPU per send side by side under 50 connections (docs/performance.md).
        const sends = new WriteGroups((group: { n: NewNotification; mail: SentMail | null }[]) => this.insertSentMany(group), (p) => this.insertSentAtOnce(p.n, p.mail), 1);
        const reads = new WriteGroups((group: ReadOfIds[]) => this.readMany(group), (r) => this.readAtOnceSql(r.userId, r.ids, r.now));
        this.insertSent = (n, mail) => sends.add({ n, mail });
        this.readAtOnce = (userId, ids, now) => (ids.length > IDS_PER_STATEMENT ? Promise.resolve(null) : reads.add({ userId, ids, now }));
      }
    }
    // SQLite only: on PostgreSQL sends move the counters in their own statement, and moving
    // the rest to the end would change the order in which a transaction locks counter rows.
    if (db.dialect === 'sqlite') {
      this.beginRun = () => {
        this.deferred ??= new Map();
        this.chats ??= new Map();
      };
    }
  }

  async endRun(): Promise<void> {
    this.chats = null;
    await this.flushCounters();
  }

  /**
   * Drops what a run kept (deferred counter changes, chats) when a transaction ended without
   * `endRun` (rolled back): the repository of a reused transaction handle starts the next clean.
   */
  forgetRun(): void {
    this.deferred = null;
    this.chats = null;
  }

  private async flushCounters(): Promise<void> {
    const deferred = this.deferred;
    this.deferred = null;
    if (deferred) await adjustCounters(this.db, deferred);
  }

  /** `adjustCounters` in `t`, or summed into the deferred changes. */
  private adjust(t: SqlDb, deltas: Map<number, CounterDelta>): Promise<void> {
    const deferred = this.deferred;
    if (!deferred) return adjustCounters(t, deltas);
    for (const [userId, d] of deltas) {
      const sum = deltaFor(deferred, userId);
      sum.total += d.total;
      sum.unread += d.unread;
      sum.unreadConfirms += d.unreadConfirms;
    }
    return Promise.resolve();
  }

  async search(userId: number, f: NotificationSearch): Promise<NotificationRow[]> {
    const [where, args] = searchWhere(userId, f);
    const limit = f.limit === null ? '' : ' LIMIT ?';
    const rows = await this.db.all(`SELECT ${COLS} FROM notifications WHERE ${where} ORDER BY id DESC${limit}`, f.limit === null ? args : [...args, f.limit]);
    return rows.map(row);
  }

  async searchCount(userId: number, f: NotificationSearch): Promise<number> {
    const [where, args] = searchWhere(userId, f);
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications WHERE ${where}`, args);
    return Number(r?.n ?? 0);
  }

  /**
   * Runs DELETE ... RETURNING user_id, is_read, notify_type statements (several when an id list
   * is cut into chunks) in one transaction and takes their rows off the counters.
   */
  private deleting<T extends CountedRow>(...statements: [string, unknown[]][]): Promise<T[]> {
    return this.db.tx(async (t) => {
      const rows: T[] = [];
      for (const [sql, args] of statements) rows.push(...(await t.all<T>(sql, args)));
      await this.adjust(t, deletedDeltas(rows));
      return rows;
    });
  }

  /**
   * Sets the read state of the rows each `[where, args]` selects, in one transaction; only rows
   * that really change move the counters.
   */
  private flipRead(read: boolean, ...selections: [string, unknown[]][]): Promise<number> {
    if (this.db.dialect === 'postgres') return this.flipReadCounted(read, selections);
    return this.db.tx(async (t) => {
      const rows: CountedRow[] = [];
      for (const [where, args] of selections) {
        rows.push(...(await t.all<CountedRow>(
          `UPDATE notifications SET is_read = ? WHERE ${where} AND ${unlike(read)} RETURNING user_id, notify_type`,
          [read ? 1 : 0, ...args],
        )));
      }
      await this.adjust(t, readDeltas(rows, read));
      return rows.length;
    });
  }

  /**
   * PostgreSQL: `flipRead` with each selection's change and its counters in one statement (an
   * UPDATE and the counter upsert fed by its RETURNING), one round trip instead of two.
   */
  private flipReadCounted(read: boolean, selections: [string, unknown[]][]): Promise<number> {
    const flip = async (db: SqlDb, [where, args]: [string, unknown[]]) =>
      Number((await db.get<{ n: number | string }>(flipCountedSql(read, where), [read ? 1 : 0, ...args, read ? -1 : 1, read ? -1 : 1]))?.n ?? 0);
    // One statement is atomic on its own: no BEGIN and COMMIT around it.
    if (selections.length === 1) return flip(this.db, selections[0]!);
    return this.db.tx(async (t) => {
      let flipped = 0;
      for (const selection of selections) flipped += await flip(t, selection);
      return flipped;
    });
  }

  /** PostgreSQL, outside a transaction: `readAtOnceSql` of several callers in one statement (`READ_MANY`). */
  private async readMany(group: ReadOfIds[]): Promise<number[]> {
    const users: number[] = [];
    const ids: number[] = [];
    const reqs: number[] = [];
    const nows: number[] = [];
    group.forEach((r, req) => {
      for (const id of new Set(r.ids)) {
        users.push(r.userId);
        ids.push(id);
        reqs.push(req);
        nows.push(r.now);
      }
    });
    const rows = await this.db.all<{ req: number | string; n: number | string }>(READ_MANY, [users, ids, reqs, nows, SETTLED]);
    const out = group.map(() => 0);
    for (const r of rows) out[Number(r.req)] = Number(r.n);
    return out;
  }

  /** PostgreSQL: `flipReadCounted` of one chunk and the e-mail cancel of `markRead`, as one statement: `READ_MANY` of one caller. */
  private async readAtOnceSql(userId: number, ids: number[], now: number): Promise<number | null> {
    if (idChunks(ids).length !== 1) return null;
    return (await this.readMany([{ userId, ids, now }]))[0]!;
  }

  async insert(n: NewNotification): Promise<number> {
    return (await this.insertRow(n)).id;
  }

  async insertRow(n: NewNotification): Promise<NotificationRow> {
    const id = await this.db.tx(async (t) => {
      const args = [n.userId, n.authorId, n.type, n.module, n.event, n.tag, n.subTag, n.title, n.text, n.messageOut, n.buttons, n.params, n.senderClientId, n.tagOwner, n.createdAt];
      // SQLite hands back the new rowid with the statement's outcome: without RETURNING its
      // insert costs half as much (~7 instead of ~15 µs, in-process).
      const added = t.dialect === 'sqlite' ? (await t.run(INSERT_ROW, args)).lastId : (await t.get<{ id: number }>(`${INSERT_ROW} RETURNING id`, args))?.id;
      await this.adjust(t, new Map([[n.userId, { total: 1, unread: 1, unreadConfirms: n.type === 1 ? 1 : 0 }]]));
      return Number(added);
    });
    return writtenRow(id, n);
  }

  /** PostgreSQL, outside a transaction: sends of several callers in one statement (`SENT_MANY`, see WriteGroups). */
  private async insertSentMany(group: { n: NewNotification; mail: SentMail | null }[]): Promise<SentNotification[]> {
    const col = <T>(f: (p: { n: NewNotification; mail: SentMail | null }) => T) => group.map(f);
    const text = (f: (n: NewNotification) => string) => col((p) => storedText(f(p.n)));
    const rows = await this.db.all<{ ord: number | string; id: number | string; chat_id: number | string; unread: number | string; pushes: number | string }>(SENT_MANY, [
      col((p) => p.n.userId), col((p) => p.n.authorId), col((p) => p.n.type),
      text((n) => n.module), text((n) => n.event), text((n) => n.tag), text((n) => n.subTag), text((n) => n.title), text((n) => n.text),
      text((n) => n.messageOut), text((n) => n.buttons), text((n) => n.params), text((n) => n.senderClientId), text((n) => n.tagOwner),
      col((p) => p.n.createdAt), col((p) => (p.mail ? 1 : 0)), col((p) => p.mail?.typeKey ?? ''), col((p) => p.mail?.dueAt ?? 0),
    ]);
    const out = new Array<SentNotification>(group.length);
    for (const r of rows) {
      const i = Number(r.ord) - 1;
      out[i] = { row: writtenRow(Number(r.id), group[i]!.n), chatId: Number(r.chat_id), pushes: Number(r.pushes), unread: Number(r.unread) };
    }
    return out;
  }

  /** PostgreSQL: the send's transaction as one statement (see the port): `SENT_MANY` of one send. */
  private async insertSentAtOnce(n: NewNotification, mail: SentMail | null): Promise<SentNotification> {
    return (await this.insertSentMany([{ n, mail }]))[0]!;
  }

  async byId(id: number): Promise<NotificationRow | null> {
    const r = await this.db.get(`SELECT ${COLS} FROM notifications WHERE id = ?`, [id]);
    return r ? row(r) : null;
  }

  async deleteByTag(userId: number, tag: string, owner: string): Promise<ReplacedNotification[]> {
    const rows = await this.deleting<CountedRow & { id: number; author_id: number; params: string }>(
      [`DELETE FROM notifications WHERE user_id = ? AND tag = ?${tagged('tag', tag)} AND tag_owner = ? RETURNING id, user_id, is_read, notify_type, author_id, params`, [userId, tag, owner]],
    );
    return rows.map((r) => ({ id: Number(r.id), authorId: Number(r.author_id), params: String(r.params) })).sort((a, b) => a.id - b.id);
  }

  async page(userId: number, confirm: boolean, beforeId: number | null, limit: number | null): Promise<NotificationRow[]> {
    const args: unknown[] = beforeId === null ? [userId] : [userId, beforeId];
    if (limit !== null) args.push(limit);
    const rows = await this.db.all(
      `SELECT ${COLS} FROM notifications WHERE user_id = ? AND ${confirm ? 'notify_type = 1' : 'notify_type <> 1'}
       ${beforeId === null ? '' : 'AND id < ?'} ORDER BY id DESC${limit === null ? '' : ' LIMIT ?'}`,
      args,
    );
    return rows.map(row);
  }

  async listStages(userId: number, stages: PageStage[], limit: number | null): Promise<ListedNotification[]> {
    const stageRows = async (stage: PageStage, room: number | null) => {
      const [sql, args] = stageSelect(userId, stage, LISTED_COLS);
      return (await this.db.values(room === null ? sql : `${sql}${LIMIT}`, room === null ? args : [...args, room])).map(listed);
    };
    if (stages.length === 1 || this.db.dialect === 'sqlite') {
      // SQLite runs in this process: a statement per stage costs less than sorting a union, and
      // a full first stage needs no second one.
      const rows: ListedNotification[] = [];
      for (const stage of stages) {
        const room = limit === null ? null : limit - rows.length;
        if (room !== null && room <= 0) break;
        rows.push(...(await stageRows(stage, room)));
      }
      return rows;
    }
    // PostgreSQL: one round trip. Every stage limited on its own (each walks its index from
    // the newest row), then ordered stage by stage.
    const parts: string[] = [];
    const args: unknown[] = [];
    stages.forEach((stage, i) => {
      const [sql, stageArgs] = stageSelect(userId, stage, `${LISTED_COLS}, ${i} AS stage`);
      parts.push(`SELECT * FROM (${sql}${limit === null ? '' : ' LIMIT ?'}) s${i}`);
      args.push(...stageArgs, ...(limit === null ? [] : [limit]));
    });
    const sql = `${parts.join(' UNION ALL ')} ORDER BY stage, id DESC${limit === null ? '' : ' LIMIT ?'}`;
    return (await this.db.values(sql, limit === null ? args : [...args, limit])).map(listed);
  }

  async pageSkeleton(userId: number, stages: PageStage[], limit: number | null): Promise<PageSkeleton> {
    if (this.deferred) await this.flushCounters();
    const columns: string[] = [];
    const args: unknown[] = [];
    for (const stage of stages) {
      const [sql, stageArgs] = stageIdsSelect(userId, stage, limit);
      columns.push(sql);
      args.push(...stageArgs);
    }
    const [r] = await this.db.values(
      `SELECT c.id, k.total, k.unread${columns.map((c) => `, ${c}`).join('')}
       FROM notify_chats c LEFT JOIN notify_counters k ON k.user_id = c.user_id WHERE c.user_id = ?`,
      [...args, userId],
    );
    if (!r) return { head: null, ids: [], read: [] };
    const ids: number[] = [];
    const read: boolean[] = [];
    for (let i = 0; i < stages.length; i++) unpackIds(r[3 + i], ids, read);
    if (limit !== null && ids.length > limit) {
      ids.length = limit;
      read.length = limit;
    }
    return { head: { chatId: Number(r[0]), total: Number(r[1] ?? 0), unread: Number(r[2] ?? 0) }, ids, read };
  }

  async listByIds(userId: number, ids: number[]): Promise<ListedNotification[]> {
    const out: ListedNotification[] = [];
    for (const chunk of idChunks(ids)) {
      const rows = await this.db.values(`SELECT ${LISTED_COLS} FROM notifications WHERE user_id = ? AND id IN ${placeholders(chunk.length)}`, [userId, ...chunk]);
      for (const r of rows) out.push(listed(r));
    }
    return out;
  }

  async pageHead(userId: number): Promise<PageHead | null> {
    if (this.deferred) await this.flushCounters();
    const r = await this.db.get<{ chat_id: number; total: number | null; unread: number | null }>(
      `SELECT c.id AS chat_id, k.total, k.unread FROM notify_chats c LEFT JOIN notify_counters k ON k.user_id = c.user_id WHERE c.user_id = ?`,
      [userId],
    );
    return r ? { chatId: Number(r.chat_id), total: Number(r.total ?? 0), unread: Number(r.unread ?? 0) } : null;
  }

  async types(userId: number) {
    const rows = await this.db.all<{ module: string; event: string; n: number | string }>(
      'SELECT module, event, COUNT(*) AS n FROM notifications WHERE user_id = ? GROUP BY module, event ORDER BY module, event',
      [userId],
    );
    return rows.map((r) => ({ module: r.module, event: r.event, count: Number(r.n) }));
  }

  async count(userId: number, unreadOnly: boolean): Promise<number> {
    if (this.deferred) await this.flushCounters();
    const r = await this.db.get<{ n: number }>(`SELECT ${unreadOnly ? 'unread' : 'total'} AS n FROM notify_counters WHERE user_id = ?`, [userId]);
    return Number(r?.n ?? 0);
  }

  async countUnreadConfirms(userId: number): Promise<number> {
    if (this.deferred) await this.flushCounters();
    const r = await this.db.get<{ n: number }>('SELECT unread_confirms AS n FROM notify_counters WHERE user_id = ?', [userId]);
    return Number(r?.n ?? 0);
  }

  async setRead(userId: number, ids: number[], read: boolean): Promise<number> {
    return this.flipRead(read, ...idChunks(ids).map((chunk): [string, unknown[]] => [`user_id = ? AND id IN ${placeholders(chunk.length)}`, [userId, ...chunk]]));
  }

  anyToMark(userId: number, ids: number[], read: boolean): boolean | Promise<boolean> {
    // One id (a click on a notification, the common call): one fixed statement, and its answer at
    // once when the engine read it at once (SQLite's reader connection).
    if (ids.length === 1) {
      const params = [userId, ids[0], read ? 1 : 0];
      const now = this.db.valuesNow?.(ANY_TO_MARK_ONE, params);
      if (now) return now.length > 0;
      return this.db.values(ANY_TO_MARK_ONE, params).then((found) => found.length > 0);
    }
    return this.anyToMarkOf(userId, ids, read);
  }

  private async anyToMarkOf(userId: number, ids: number[], read: boolean): Promise<boolean> {
    for (const chunk of idChunks(ids)) {
      const found = await this.db.values(
        anyToMarkSql(chunk.length),
        [userId, ...chunk, read ? 1 : 0],
      );
      if (found.length) return true;
    }
    return false;
  }

  async setReadFrom(userId: number, fromId: number, read: boolean, skipConfirms: boolean): Promise<number> {
    return this.flipRead(read, [`user_id = ? AND id >= ?${skipConfirms ? ' AND notify_type <> 1' : ''}`, [userId, fromId]]);
  }

  async sameTagIds(userId: number, ids: number[]): Promise<number[]> {
    const found = new Set<number>();
    for (const chunk of idChunks(ids)) {
      const rows = await this.db.all<{ id: number }>(
        `SELECT n.id FROM notifications n JOIN notifications o ON o.user_id = n.user_id AND o.tag = n.tag AND o.tag_owner = n.tag_owner
         WHERE o.user_id = ? AND o.tag <> '' AND n.tag <> '' AND o.id IN ${placeholders(chunk.length)}`,
        [userId, ...chunk],
      );
      for (const r of rows) found.add(Number(r.id));
    }
    return [...found];
  }

  async deleteIds(userId: number, ids: number[]): Promise<number[]> {
    const chunks = idChunks(ids);
    if (chunks.length === 0) return [];
    const rows = await this.deleting<CountedRow & { id: number }>(
      ...chunks.map((chunk): [string, unknown[]] => [
        `DELETE FROM notifications WHERE user_id = ? AND id IN ${placeholders(chunk.length)} RETURNING id, user_id, is_read, notify_type`,
        [userId, ...chunk],
      ]),
    );
    return rows.map((r) => Number(r.id));
  }

  async deleteAllByTag(column: 'tag' | 'sub_tag', value: string, owner: string): Promise<{ id: number; userId: number }[]> {
    const where = `${column === 'tag' ? 'tag = ?' : 'sub_tag = ?'}${tagged(column, value)}`;
    const rows = await this.deleting<CountedRow & { id: number }>(
      [`DELETE FROM notifications WHERE ${where} AND tag_owner = ? RETURNING id, user_id, is_read, notify_type`, [value, owner]],
    );
    return rows.map((r) => ({ id: Number(r.id), userId: Number(r.user_id) }));
  }

  async chatId(userId: number): Promise<number | null> {
    const found = await this.db.get<{ id: number }>('SELECT id FROM notify_chats WHERE user_id = ?', [userId]);
    return found ? Number(found.id) : null;
  }

  async claimChat(userId: number): Promise<number> {
    // Within a batch's run, or known from an earlier transaction on this database (SQLite).
    const known = this.chats?.get(userId) ?? this.db.facts?.chat(userId);
    if (known !== undefined) return known;
    const id = await this.findOrMakeChat(userId);
    this.chats?.set(userId, id);
    this.db.facts?.knowChat(userId, id);
    return id;
  }

  private async findOrMakeChat(userId: number): Promise<number> {
    // A user's chat is made with their first notification and never removed: almost always one
    // index probe finds it, without writing (a no-op write would be journaled by every send's
    // savepoint and written to the WAL by every commit, and hold a PostgreSQL row lock).
    // On PostgreSQL the row is locked until commit (the claim the port promises): a recipient's
    // tag replacements, on any node, then run one after another, each deleting what the one
    // before it stored (under READ COMMITTED a DELETE does not see a row committed after it
    // began). Only transactions get here there: a send that replaces nothing is one statement.
    const found = this.db.transaction
      ? await this.db.get<{ id: number }>('SELECT id FROM notify_chats WHERE user_id = ? FOR UPDATE', [userId]).then((r) => (r ? Number(r.id) : null))
      : await this.chatId(userId);
    if (found !== null) return found;
    // The first: ON CONFLICT, so two nodes creating it at once both succeed; DO UPDATE (a no-op)
    // so that RETURNING gives the row whichever of them inserted it.
    const row = await this.db.get<{ id: number }>(
      'INSERT INTO notify_chats (user_id) VALUES (?) ON CONFLICT (user_id) DO UPDATE SET user_id = excluded.user_id RETURNING id',
      [userId],
    );
    return Number(row!.id);
  }

  async purgeOlderThan(ms: number): Promise<number> {
    const rows = await this.deleting(['DELETE FROM notifications WHERE created_at < ? RETURNING user_id, is_read, notify_type', [ms]]);
    return rows.length;
  }
}
