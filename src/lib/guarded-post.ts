import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkAddress, guardedLookup, literalAddress, type NetworkClass } from './networks.ts';

export interface GuardedPost {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Networks the destination may be on; checked on the address actually connected to. */
  allowed: readonly NetworkClass[];
  signal: AbortSignal;
}

/**
 * POSTs `body` and answers the response status, its body discarded. Redirects are answers like
 * any other (never followed). The destination is checked before any byte is sent: an address
 * written in the URL directly, a name through `guardedLookup` (every resolved address checked,
 * the connection pinned to them). Throws `NetworkRefused`, a socket error, or the abort.
 */
export async function guardedPost(p: GuardedPost): Promise<number> {
  return (await guardedPostAnswer(p)).status;
}

/** `guardedPost`, answering the response's headers too (a push service's `Retry-After`). */
export function guardedPostAnswer(p: GuardedPost): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const url = new URL(p.url);
  const literal = literalAddress(url.hostname);
  if (literal) checkAddress(literal, p.allowed);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...p.headers, 'Content-Length': String(Buffer.byteLength(p.body)) },
      lookup: guardedLookup(p.allowed),
      // A fresh connection per post: a pooled socket would skip the lookup above.
      agent: false,
      signal: p.signal,
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end(p.body);
  });
}
