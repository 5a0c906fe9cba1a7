/** The portal's XML transport: `<response>` wrapping the same map, list items as `<item>`. */

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function escape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
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
  if (Array.isArray(value)) return value.map((v) => element('item', v)).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => element(k, v)).join('');
  }
  return scalar(value);
}

export function toXml(body: Record<string, unknown>): string {
  return `<response>${node(body)}</response>`;
}
