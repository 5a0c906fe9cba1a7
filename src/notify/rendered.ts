import { FreshReads } from '../lib/fresh-reads.ts';
/**
 * A notification's JSON as im.notify.get prints it, up to its read state, kept per id so a page
 * is a concatenation instead of a formatting of every row (src/notify/page-json.ts).
 *
 * Why this is safe: a stored notification never changes but for its read state, which every
 * page reads from the store and appends (`"notify_read":"` + Y/N). Ids are never reused (the
 * tables' keys only grow) except when whole tables are replaced — an import, a test portal's
 * reset — and those drop the identity cache, whose drops clear this one too (server.ts). The
 * chat id is in the text, so an entry is only used for the chat it was rendered for. A deleted
 * notification (a delete, a tag replacement, retention's purge) is never on a page again, since
 * pages list the ids the store holds: its entry is never asked for and leaves with the oldest.
 */
export interface RenderedNotification {
  chatId: number;
  authorId: number;
  /** `{"id":…,…,"params":…,"notify_read":"` as UTF-8 */
  json: Buffer;
}

/** Bytes kept at most (about 8 MB): the first pages of ~20k notifications of the bench's size. */
const MAX_CHARS = 8_000_000;
/** Bytes of whole answers kept at most (pages of ~100 users). */
const MAX_PAGE_BYTES = 2_000_000;

/**
 * Whole answers as sent, kept while the store is unchanged: each is valid only for the commit
 * version (`Store.commitVersion`) read before it was read from the store. Any commit makes
 * every kept answer stale for good (versions do not come back), so only answers of the latest
 * version are held. An answer is kept from the moment its reading starts: the same page asked
 * for again meanwhile waits for that reading instead of reading it again.
 */
interface KeptPages {
  version: number;
  answers: Map<string, Promise<readonly Buffer[]>>;
  bytes: number;
}

export class RenderedNotifications {
  private entries = new Map<number, RenderedNotification>();
  private chars = 0;
  private clears = 0;
  private pages: KeptPages = { version: Number.NaN, answers: new Map(), bytes: 0 };
  /** Where the store has no commit version: pages read once for the callers waiting for them. */
  readonly freshPages = new FreshReads<string, readonly Buffer[]>();

  /** `enabled` false: nothing is kept (outside writes could not be noticed, see server.ts). */
  constructor(
    readonly enabled: boolean,
    private readonly maxChars = MAX_CHARS,
  ) {}

  /** Changes on every clear: a render started before it must not be kept after it. */
  get generation(): number {
    return this.clears;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: number, chatId: number): RenderedNotification | undefined {
    const hit = this.entries.get(id);
    return hit && hit.chatId === chatId ? hit : undefined;
  }

  /** Keeps `entry` unless the cache was cleared since `generation`; the oldest entries make room. */
  put(generation: number, id: number, entry: RenderedNotification): void {
    if (!this.enabled || generation !== this.clears || entry.json.length > this.maxChars) return;
    this.drop(id);
    this.entries.set(id, entry);
    this.chars += entry.json.length;
    for (const [oldId, old] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldId);
      this.chars -= old.json.length;
    }
  }

  /** The answer kept for `key` at commit version `version`, if any. */
  page(key: string, version: number): Promise<readonly Buffer[]> | undefined {
    return this.pages.version === version ? this.pages.answers.get(key) : undefined;
  }

  /**
   * Keeps the answer for `key` that `read` gives, read from the store after it had commit
   * version `version`; a failed reading is not kept. Returns `read`'s answer.
   */
  keepPage(key: string, version: number, read: () => Promise<readonly Buffer[]>): Promise<readonly Buffer[]> {
    if (!this.enabled || this.pages.bytes >= MAX_PAGE_BYTES) return read();
    if (this.pages.version !== version) this.pages = { version, answers: new Map(), bytes: 0 };
    const pages = this.pages;
    const answer = read().then((parts) => {
      for (const part of parts) pages.bytes += part.length;
      return parts;
    }, (err: unknown) => {
      if (pages.answers.get(key) === answer) pages.answers.delete(key);
      throw err;
    });
    pages.answers.set(key, answer);
    return answer;
  }

  private drop(id: number): void {
    const old = this.entries.get(id);
    if (!old) return;
    this.entries.delete(id);
    this.chars -= old.json.length;
  }

  clear(): void {
    this.entries = new Map();
    this.chars = 0;
    this.pages = { version: Number.NaN, answers: new Map(), bytes: 0 };
    this.clears++;
  }
}
