/**
 * The REST edge alone: `server.time` through the admin webhook, with the send row's body. The
 * method reads nothing and writes nothing, so what this row costs above the floor is what every
 * REST call pays before and after its method runs (routing, parameters, authentication, limits,
 * envelope, observability).
 */
import type { Dataset } from './dataset.ts';
import type { Request } from './load.ts';
import { restPath, sendRequest } from './notify24.ts';
import type { RestCase } from './rows.ts';

/** The send row's request (same body on the wire, which server.time ignores) to server.time. */
export function edgeRequest(code: string): Request {
  return { ...sendRequest(code, 1), path: restPath(code, 'server.time') };
}

export const EDGE_CASE: RestCase = {
  name: 'REST edge (server.time, no store work)',
  requests: (ds: Dataset) => [edgeRequest(ds.webhookCode)],
  note: () => 'same connections and body as the send row',
};
