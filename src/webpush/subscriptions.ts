import { createPublicKey } from 'node:crypto';
import type { Config } from '../config.ts';
import { errors } from '../errors/rest.ts';
import { isoDate, type Clock } from '../lib/clock.ts';
import { decodedJson, isMap } from '../rest/php.ts';
import type { Store } from '../store/port/store.ts';
import type { PushSubscriptionRecord } from '../store/port/webpush.ts';

/** A user's browsers kept at most: subscribing one more forgets the oldest. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;
const MAX_ENDPOINT = 2048;
const MAX_USER_AGENT = 512;

export interface SubscriptionDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'pushInsecureEndpoints'>;
}

/** What a browser's `PushSubscription.toJSON()` holds that we keep. */
export interface SubscriptionInput {
  endpoint: string;
  p256dh: string;
  auth: string;
}

const bad = (reason: string) => errors.pushSubscriptionError(reason);

function base64url(value: unknown, name: string, bytes: number): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) throw bad(`keys.${name} is not URL-safe base64`);
  const raw = Buffer.from(value, 'base64url');
  if (raw.length !== bytes) throw bad(`keys.${name} must be ${bytes} bytes`);
  return raw.toString('base64url');
}

/** The browser's key must be a point on P-256, or encrypting to it fails at every push. */
function p256Point(value: unknown): string {
  const key = base64url(value, 'p256dh', 65);
  const raw = Buffer.from(key, 'base64url');
  try {
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
    if (raw[0] !== 4) throw new Error('compressed');
  } catch {
    throw bad('keys.p256dh is not an uncompressed P-256 public key');
  }
  return key;
}

/**
 * A subscription as `SUBSCRIPTION` carries it: the object `PushSubscription.toJSON()` gives
 * (`endpoint`, `keys.p256dh`, `keys.auth`), or its JSON text. Endpoints must be https: a push
 * service is always, and anything else would let a user make the server post to any plain
 * HTTP address (`NOTIFY24_PUSH_INSECURE_ENDPOINTS` allows http for local test push services).
 */
export function parseSubscription(raw: unknown, config: SubscriptionDeps['config']): SubscriptionInput {
  const value = decodedJson(raw);
  if (!isMap(value)) throw bad('SUBSCRIPTION must be the object PushSubscription.toJSON() gives');
  const endpoint = value.endpoint;
  if (typeof endpoint !== 'string' || !endpoint || endpoint.length > MAX_ENDPOINT || !URL.canParse(endpoint)) throw bad('endpoint is not a URL');
  const url = new URL(endpoint);
  const schemes = config.pushInsecureEndpoints ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol) || url.username || url.password) throw bad('endpoint must be an https URL');
  const keys = isMap(value.keys) ? value.keys : {};
  return { endpoint, p256dh: p256Point(keys.p256dh), auth: base64url(keys.auth, 'auth', 16) };
}

/** Stores the browser for `userId` (taking it over from whoever had it), keeping the newest few. */
export async function subscribe(deps: SubscriptionDeps, userId: number, input: SubscriptionInput, userAgent: string): Promise<PushSubscriptionRecord> {
  return deps.store.tx(async (s) => {
    const record = await s.webPush.subscribe({ userId, ...input, userAgent: userAgent.slice(0, MAX_USER_AGENT), createdAt: deps.clock.now() });
    await s.webPush.trim(userId, MAX_SUBSCRIPTIONS_PER_USER);
    return record;
  });
}

/** A subscription as the API and the console show it: never the keys. */
export function subscriptionView(s: PushSubscriptionRecord): Record<string, unknown> {
  return {
    id: s.id,
    user_id: s.userId,
    endpoint: s.endpoint,
    user_agent: s.userAgent,
    created_at: isoDate(s.createdAt),
    last_success_at: s.lastSuccessAt === null ? null : isoDate(s.lastSuccessAt),
    last_error: s.lastError,
  };
}
