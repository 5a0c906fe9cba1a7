import { randomHex } from '../lib/secrets.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/port/store.ts';

/** What OAuth answers and event payloads say about this server ("the portal"). */
export interface PortalFacts {
  /** `http(s)://host[:port]`, no trailing slash. */
  base: string;
  /** Host (and port) of `base`: Bitrix24's `domain`. */
  domain: string;
  /** `<base>/rest/`: both `client_endpoint` and `server_endpoint` (we are our own OAuth server). */
  restEndpoint: string;
  /** Stable 32-hex id of this installation. */
  memberId: string;
}

/**
 * The configured public URL wins (behind a proxy the request's Host is internal); otherwise the
 * origin the client used, or the listener's own URL for deliveries that have no request.
 */
export async function portalFacts(deps: { store: Store; config: Pick<Config, 'publicUrl'> }, origin: string): Promise<PortalFacts> {
  const base = (deps.config.publicUrl ?? origin).replace(/\/+$/, '');
  return {
    base,
    domain: new URL(base).host,
    restEndpoint: `${base}/rest/`,
    memberId: (await deps.store.apps.memberId()) ?? (await deps.store.apps.claimMemberId(randomHex(16))),
  };
}
