import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkAddress, guardedLookup, literalAddress, type NetworkClass } from './networks.ts';

export interface GuardedPost {
  url: string;
  headers: Record<string, string>;
  body: string;
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
export function guardedPost(p: GuardedPost): Promise<number> {
  const url = new URL(p.url);
  const literal = literalAddress(url.hostname);
  if (literal) checkAddress(literal, p.allowed);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
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
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(p.body);
  });
}
