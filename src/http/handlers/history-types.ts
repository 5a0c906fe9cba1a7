import { webErrors } from '../../errors/web.ts';
import { sessionFromHeaders, type SessionDeps } from '../../identity/web-sessions.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

/**
 * `GET /history/types`: the notification types (module, event, count) the signed-in user has,
 * so the history's type filter offers only what can match. The schema method lists what a
 * portal could send; this lists what this server holds.
 */
export function historyTypesHandler(deps: SessionDeps) {
  return async (req: HttpRequest): Promise<Reply> => {
    const session = await sessionFromHeaders(deps, req.headers);
    if (!session) throw webErrors.notSignedIn();
    return json({ types: await deps.store.notifications.types(session.userId) });
  };
}
