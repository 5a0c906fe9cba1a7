import { randomHex } from '../lib/secrets.ts';
import type { Services } from '../services.ts';

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
export async function portalFacts(services: Pick<Services, 'store' | 'config'>, origin: string): Promise<PortalFacts> {
  const base = (services.config.publicUrl ?? origin).replace(/\/+$/, '');
  return {
    base,
    domain: new URL(base).host,
    restEndpoint: `${base}/rest/`,
    memberId: (await services.store.apps.memberId()) ?? (await services.store.apps.claimMemberId(randomHex(16))),
  };
}
