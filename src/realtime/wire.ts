/**
 * A pushed message is the same object for every connection of its user (one page per tab,
 * many tabs): serialise it once, and encode each transport's bytes once, not once per socket.
 */
const serialised = new WeakMap<object, string>();
const encoded = new WeakMap<object, Map<string, Buffer>>();

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
  let forms = encoded.get(message);
  if (!forms) {
    forms = new Map();
    encoded.set(message, forms);
  }
  let bytes = forms.get(form);
  if (bytes === undefined) {
    const made = encode(message);
    bytes = typeof made === 'string' ? Buffer.from(made) : made;
    forms.set(form, bytes);
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
