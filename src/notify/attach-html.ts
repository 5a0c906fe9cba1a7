import type { IOptions } from 'sanitize-html';
import { lazyRequire } from '../lib/lazy-require.ts';

/**
 * The `HTML` field of LINK and RICH_LINK attach blocks is the one place a caller hands clients
 * markup. The portal keeps it as given; the center never renders it, but other clients may, so
 * it is cleaned when stored: the inline formatting the portal allows in texts it sanitises
 * itself (links, bold, underline, italic, strike, line breaks, spans), links only to http(s) and
 * mailto, no attributes but `href` and `target`; `<script>`, `<style>` and their content go,
 * other tags are unwrapped to their text. A non-string value (a number) stays as it is; a list
 * or map, which no client renders as markup, becomes ''.
 */
const POLICY: IOptions = {
  allowedTags: ['a', 'b', 'u', 'i', 's', 'br', 'span'],
  allowedAttributes: { a: ['href', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

type Sanitize = (html: string, options: IOptions) => string;
/** The library is loaded on first use: it costs a few hundred milliseconds of start-up otherwise. */
const sanitizer = lazyRequire<Sanitize>('sanitize-html');

export function safeAttachHtml(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? value : sanitizer()(value, POLICY);
  return value !== null && typeof value === 'object' ? '' : value;
}
