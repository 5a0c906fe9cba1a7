/** Plain HTTP calls to the server under test, in every encoding clients use. */
import assert from 'node:assert/strict';

export type Encoding = 'json' | 'form' | 'get' | 'multipart';

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/** PHP-style form pairs for nested values: `a[b][]=1`. */
export function formPairs(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return entries.flatMap(([k, v]) => formPairs(v, prefix ? `${prefix}[${k}]` : k));
  }
  return [[prefix, typeof value === 'boolean' ? (value ? '1' : '0') : String(value)]];
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* XML or text stays text */
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Calls `base + method` with `params` encoded as asked. */
export function call(base: string, method: string, params: Record<string, unknown> = {}, encoding: Encoding = 'json'): Promise<Reply> {
  const url = `${base}${method}`;
  if (encoding === 'json') {
    return request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
  }
  const pairs = formPairs(params);
  if (encoding === 'get') {
    const qs = new URLSearchParams(pairs).toString();
    return request(qs ? `${url}?${qs}` : url);
  }
  if (encoding === 'form') {
    return request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(pairs).toString(),
    });
  }
  const form = new FormData();
  for (const [k, v] of pairs) form.append(k, v);
  return request(url, { method: 'POST', body: form });
}

/** Calls a method that must succeed (HTTP 200) and returns its `result`. */
export async function ok(base: string, method: string, params: Record<string, unknown> = {}, encoding: Encoding = 'json') {
  const r = await call(base, method, params, encoding);
  assert.equal(r.status, 200, r.text);
  return r.body.result;
}
