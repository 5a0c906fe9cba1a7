/**
 * CONVERT_TEXT=Y: BB codes to safe HTML. Everything is escaped first, so only the tags made here
 * exist; link targets pass only when http(s), mailto or relative (no javascript:, data:, ...).
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const DECODE: Record<string, string> = Object.fromEntries(Object.entries(ESCAPES).map(([c, e]) => [e, c]));

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** An escaped URL if it is safe to link, else null. */
export function safeUrl(escaped: string): string | null {
  const url = escaped.replace(/&(amp|lt|gt|quot|#39);/g, (e) => DECODE[e]!).trim();
  // Browsers ignore control characters and whitespace inside schemes ("java\tscript:").
  const squashed = url.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(squashed);
  if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]!)) return null;
  if (!scheme && /^[^/?#]*:/.test(squashed)) return null;
  // A target the browser cannot parse (the portal's defused `java script&#58; ...`) is no link.
  if (!URL.canParse(url, 'http://relative.invalid/')) return null;
  return escapeHtml(url);
}

const SIMPLE: [RegExp, string][] = [
  [/\[b\]([\s\S]*?)\[\/b\]/gi, '<b>$1</b>'],
  [/\[i\]([\s\S]*?)\[\/i\]/gi, '<i>$1</i>'],
  [/\[u\]([\s\S]*?)\[\/u\]/gi, '<u>$1</u>'],
  [/\[s\]([\s\S]*?)\[\/s\]/gi, '<s>$1</s>'],
];

export function bbcodeToHtml(text: string): string {
  let html = escapeHtml(text);
  for (const [re, out] of SIMPLE) html = html.replace(re, out);
  html = html.replace(/\[url=([^\]]*)\]([\s\S]*?)\[\/url\]/gi, (_m, href: string, label: string) => {
    const url = safeUrl(href);
    return url ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>` : label;
  });
  html = html.replace(/\[url\]([\s\S]*?)\[\/url\]/gi, (_m, href: string) => {
    const url = safeUrl(href);
    return url ? `<a href="${url}" target="_blank" rel="noopener noreferrer">${href}</a>` : href;
  });
  html = html.replace(/\[color=(#[0-9a-f]{3,8})\]([\s\S]*?)\[\/color\]/gi, '<span style="color:$1">$2</span>');
  return html.replace(/\r?\n/g, '<br />');
}
