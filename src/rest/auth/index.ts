import type { Config } from '../../config.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Store } from '../../store/port/store.ts';
import type { Caller } from '../caller.ts';
import type { RawParams } from '../params.ts';
import { errors } from '../../errors/rest.ts';

/** What authentication may look at. */
export interface AuthRequest {
  /** `/rest/{userId}/{code}/...` path segments, when present. */
  webhook: { user: string; code: string } | null;
  params: RawParams;
  headers: Record<string, string | string[] | undefined>;
  secure: boolean;
  ip: string;
}

export interface AuthOutcome {
  caller: Caller;
  /** Parameter keys that carried credentials; they are removed before the method sees the parameters. */
  consumed: readonly string[];
}

/**
 * One way of authorizing a REST call (webhook, OAuth token, browser session). `detect` says
 * whether the request carries this kind of credential at all; the first provider that
 * detects one decides, as the portal's handler chain does.
 */
export interface AuthProvider {
  readonly kind: Caller['kind'];
  detect(req: AuthRequest): boolean;
  /** The outcome, at once when nothing had to be read from the store (cached records). */
  authenticate(req: AuthRequest, deps: AuthDeps): AuthOutcome | Promise<AuthOutcome>;
}

/** What the providers read: credentials in the store, the time, two settings. */
export interface AuthDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'webhookRequiresHttps' | 'sessionIdleMs'>;
}

/** Throws (or rejects) with the refusal; answers at once when its provider does. */
export type Authenticate = (req: AuthRequest) => AuthOutcome | Promise<AuthOutcome>;

/** Authentication over `providers`, tried in order (the first that detects its credential decides). */
export function authenticator(providers: readonly AuthProvider[], deps: AuthDeps): Authenticate {
  return (req) => {
    for (const provider of providers) {
      if (provider.detect(req)) return provider.authenticate(req, deps);
    }
    throw errors.noAuthFound();
  };
}
