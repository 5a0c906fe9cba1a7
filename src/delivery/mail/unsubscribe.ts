import { createHmac } from 'node:crypto';
import { randomHex, sameHash } from '../../lib/secrets.ts';
import type { Store } from '../../store/port/store.ts';

/** Where the one-click links point (also the route in http/routes.ts). */
export const UNSUBSCRIBE_PATH = '/mail/unsubscribe';

/**
 * Signed one-click unsubscribe links (RFC 8058). The link names the user and the notification
 * types of the mail; an HMAC over both, keyed by a secret kept in the store (the same on every
 * node), proves the server made it, so it works without signing in and cannot be altered.
 */
export class UnsubscribeLinks {
  private key: Promise<string> | null = null;

  constructor(private readonly store: Store) {}

  private signingKey(): Promise<string> {
    this.key ??= this.store.mailOutbox.claimSigningKey(randomHex(32)).catch((err: unknown) => {
      this.key = null;
      throw err;
    });
    return this.key;
  }

  private async sign(userId: number, types: string): Promise<string> {
    return createHmac('sha256', await this.signingKey()).update(`${userId}\n${types}`).digest('hex');
  }

  async url(baseUrl: string, userId: number, typeKeys: string[]): Promise<string> {
    const types = [...new Set(typeKeys)].sort().join(',');
    const query = new URLSearchParams({ u: String(userId), t: types, s: await this.sign(userId, types) });
    return `${baseUrl}${UNSUBSCRIBE_PATH}?${query}`;
  }

  /** The user and types a link names, or null when its signature does not match. */
  async verify(query: URLSearchParams): Promise<{ userId: number; typeKeys: string[] } | null> {
    const userId = Number(query.get('u'));
    const types = query.get('t') ?? '';
    const signature = query.get('s') ?? '';
    if (!Number.isSafeInteger(userId) || userId <= 0 || !types || !/^[0-9a-f]{64}$/.test(signature)) return null;
    if (!sameHash(signature, await this.sign(userId, types))) return null;
    return { userId, typeKeys: types.split(',') };
  }
}
