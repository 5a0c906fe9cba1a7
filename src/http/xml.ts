/**
 * The portal's XML transport: `<response>` wrapping the same map, list items as `<item>`.
 * Every answer is well-formed XML 1.0 whatever was stored: characters XML 1.0 cannot carry at
 * all, not even as references (C0 controls but tab and line breaks, U+FFFE, U+FFFF, lone
 * surrogates), are left out of text; keys that are not plain names become `<item>`.
 */
import { JsonText } from '../rest/json-text.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** What XML 1.0 forbids in a document, references included. */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escape(text: string): string {
  // CR as a reference: a parser would otherwise turn it into LF.
  return text.replace(FORBIDDEN, '').replace(/[<>&'"\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function scalar(value: unknown): string {
  if (value === true) return '1';
  if (value === false || value === null || value === undefined) return '';
  return escape(String(value));
}

function element(key: string, value: unknown): string {
  const tag = NAME.test(key) ? key : 'item';
  return `<${tag}>${node(value)}</${tag}>`;
}

function node(value: unknown): string {
  if (value instanceof JsonText) return node(value.value());
  if (Array.isArray(value)) return value.map((v) => element('item', v)).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => element(k, v)).join('');
  }
  return scalar(value);
}

export function toXml(body: Record<string, unknown>): string {
  return `<response>${node(body)}</response>`;
}
