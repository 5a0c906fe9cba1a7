/**
 * A pushed message is the same object for every connection of its user (one page per tab,
 * many tabs): serialise it once, and encode each transport's bytes once, not once per socket.
 */
const serialised = new WeakMap<object, string>();
/** Per form, the bytes of each message (or batch): no allocation per message beyond its bytes. */
const encoded = new Map<string, WeakMap<object, Buffer>>();

export function wireJson(message: object): string {
  let text = serialised.get(message);
  if (text === undefined) {
    text = JSON.stringify(message);
    serialised.set(message, text);
  }
  return text;
}

/**
 * The bytes of `message` in one transport's form (`form` names it: the WebSocket frame, the
 * event-stream chunk), made by `encode` on first use and shared by every socket after that.
 */
function encodedOnce<T extends object>(message: T, form: string, encode: (message: T) => string | Buffer): Buffer {
  let ofForm = encoded.get(form);
  if (!ofForm) {
    ofForm = new WeakMap();
    encoded.set(form, ofForm);
  }
  let bytes = ofForm.get(message);
  if (bytes === undefined) {
    const made = encode(message);
    bytes = typeof made === 'string' ? Buffer.from(made) : made;
    ofForm.set(message, bytes);
  }
  return bytes;
}

/**
 * The bytes of several messages written together: each message's own bytes (`encode`, once per
 * message and form), one after the other. The fan-out hands every connection in step the same
 * array, so the joined bytes are made once for all of them too.
 */
export function encodedBatch<M extends object>(messages: readonly M[], form: string, encode: (message: M) => string | Buffer): Buffer {
  if (messages.length === 1) return encodedOnce(messages[0]!, form, encode);
  return encodedOnce(messages, form, (all) => Buffer.concat(all.map((m) => encodedOnce(m, form, encode))));
}

/**
 * `encodedBatch` of one form, with the last batch's bytes at hand. WHY: a fan-out hands every
 * connection in step the same array, so all its writes but the first find their bytes here
 * instead of in two maps (one transport's connections share one encoder).
 */
export function batchEncoder<M extends object>(form: string, encode: (message: M) => string | Buffer): (messages: readonly M[]) => Buffer {
  let last: readonly M[] | null = null;
  let bytes: Buffer | null = null;
  return (messages) => {
    if (messages !== last || bytes === null) {
      bytes = encodedBatch(messages, form, encode);
      last = messages;
    }
    return bytes;
  };
}

/** What `SentTally` adds to: a labelled counter. */
interface LabelledCounter<L extends string> {
  inc(labels: Partial<Record<L, string>>, by: number): void;
}

/**
 * Messages written to connections, added to their counter once per event-loop turn instead of
 * once per write. WHY: a labelled counter's `inc` hashes its labels every time (~0.6 µs), and a
 * fan-out makes up to a thousand writes a turn. The sum is added in a microtask, i.e. right after
 * the turn's writes, before anything else (a scrape included) can read it.
 */
export class SentTally<L extends string> {
  private count = 0;
  private readonly flush = () => {
    const n = this.count;
    this.count = 0;
    this.counter.inc(this.labels, n);
  };

  constructor(
    private readonly counter: LabelledCounter<L>,
    private readonly labels: Partial<Record<L, string>>,
  ) {}

  add(n: number): void {
    if (this.count === 0) queueMicrotask(this.flush);
    this.count += n;
  }
}
