import { webErrors } from '../../errors/web.ts';
import { WINDOW_SECONDS, type TrafficWindow } from '../../observability/traffic.ts';
import type { RequestInspector } from '../../web/inspector.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import { eventStream } from '../sse-stream.ts';
import { field } from './console-fields.ts';

export interface ActivityDeps {
  inspector: RequestInspector;
  /** The REST traffic window /metrics is fed from (observability/requests.ts). */
  traffic: TrafficWindow;
}

/** What the server is doing right now: the request inspector and the traffic panel. */
export function consoleActivity({ inspector, traffic }: ActivityDeps) {
  return {
    inspector: () => json({ calls: inspector.recent(), capacity: inspector.capacity }),

    /** One call with its request's headers (credentials masked) and a curl command. */
    inspectedCall(req: HttpRequest): Reply {
      const call = inspector.detail(field.id(req.params.seq));
      if (!call) throw webErrors.callNotKept();
      return json({ call });
    },

    /** The inspector's calls as they happen (server-sent events). */
    inspectorStream: () => eventStream((write) => inspector.subscribe((call) => write({ data: call }))),

    /** The last `?seconds=` (at most 15 minutes) of REST traffic: totals and one point per second. */
    traffic(req: HttpRequest): Reply {
      const seconds = Math.min(WINDOW_SECONDS, Math.max(1, Number(req.url.searchParams.get('seconds')) || WINDOW_SECONDS));
      return json({ summary: traffic.summary(seconds), series: traffic.series(seconds) });
    },
  };
}
