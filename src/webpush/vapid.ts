import { generateKeyPairSync } from 'node:crypto';
import type { Store } from '../store/port/store.ts';
import type { VapidKeys } from '../store/port/webpush.ts';

/** A fresh P-256 pair in the encoding browsers and the web-push library take. */
export function newVapidKeys(): VapidKeys {
  // JWK export gives fixed-length coordinates (a raw ECDH export drops leading zero bytes).
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { publicKey: point.toString('base64url'), privateKey: jwk.d! };
}

/**
 * The installation's VAPID keys, made on the first start and kept in the store: every node of
 * a cluster signs with the same pair, and browsers' subscriptions (bound to the public key)
 * survive restarts. Two nodes starting at once agree on whichever pair was stored first.
 */
export async function ensureVapidKeys(store: Store): Promise<VapidKeys> {
  return (await store.webPush.vapidKeys()) ?? store.webPush.claimVapidKeys(newVapidKeys());
}
