/**
 * Where a browser may be sent after signing in (`next`): a path on this site, nothing else.
 *
 * Browsers read URLs more loosely than a first glance suggests: they drop tabs and line breaks
 * anywhere (`/\t/evil.example` is `//evil.example`), treat `\` as `/` (`/\evil.example`), and a
 * page or proxy may decode the value once more (`/%09/evil.example`). So a `next` passes only
 * when, raw and percent-decoded, its path has no control character and no backslash and does
 * not start with `//`, and resolving it against this site stays on this site. What passes is
 * returned as the URL parser writes it back (non-ASCII percent-encoded), so it is always a
 * valid header value.
 */

/** C0 controls, DEL and the backslash: dropped or folded into `/` by browsers. */
const LOOSE = /[\u0000-\u001f\u007f\\]/;
/** Nobody needs a longer sign-in target; longer ones are not worth parsing. */
const MAX_LENGTH = 2048;
const BASE = 'http://local.invalid';

/** `value` when it is a safe same-site path (re-serialised), otherwise null. */
export function localPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_LENGTH || LOOSE.test(value)) return null;
  // The path as sent and decoded once and twice (a stray `%` ends the decoding: it stays literal).
  const forms = [value.split(/[?#]/, 1)[0]!];
  try {
    for (let i = 0; i < 2; i++) forms.push(decodeURIComponent(forms.at(-1)!));
  } catch {
    // nothing more to decode
  }
  for (const form of forms) {
    if (!/^\/(?![/\\])/.test(form) || LOOSE.test(form)) return null;
  }
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE || url.pathname.startsWith('//')) return null;
  return url.pathname + url.search + url.hash;
}
