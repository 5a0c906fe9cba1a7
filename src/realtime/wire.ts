/**
 * A pushed message is the same object for every connection of its user (one page per tab,
 * many tabs): serialise it once, not once per socket.
 */
const serialised = new WeakMap<object, string>();

export function wireJson(message: object): string {
  let text = serialised.get(message);
  if (text === undefined) {
    text = JSON.stringify(message);
    serialised.set(message, text);
  }
  return text;
}
