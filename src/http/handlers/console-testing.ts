import { webErrors } from '../../errors/web.ts';
import type { FaultInjector } from '../../faults/injector.ts';
import { FaultRuleError, type FaultRuleInput } from '../../faults/rule.ts';
import { advanceTime, clockState, type TimeControlDeps } from '../../testing/time.ts';
import { readJsonObject } from '../body.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

export interface TestingDeps extends TimeControlDeps {
  /** Null on a server not started for testing. */
  faults: FaultInjector | null;
}

/**
 * `/console/api/faults` and `/console/api/clock`: fault injection and time control for
 * administrators of a server started for testing (NOTIFY24_TEST_MODE=1); TEST_MODE_OFF on any
 * other. The CLI's `notify24 fault` and `notify24 clock` and the console card call these.
 */
export function testingApi(deps: TestingDeps) {
  const refuse = (req: HttpRequest): never => {
    req.raw.resume();
    throw webErrors.testModeOff();
  };
  const faults = (req: HttpRequest): FaultInjector => {
    req.raw.resume();
    return deps.faults ?? refuse(req);
  };
  return {
    listFaults: (req: HttpRequest): Reply => json({ rules: faults(req).list() }),

    async addFault(req: HttpRequest): Promise<Reply> {
      const injector = deps.faults ?? refuse(req);
      const body = await readJsonObject(req.raw);
      try {
        return json({ rule: injector.add(body as FaultRuleInput) });
      } catch (err) {
        if (err instanceof FaultRuleError) throw webErrors.badFaultRule(err.message);
        throw err;
      }
    },

    clearFaults(req: HttpRequest): Reply {
      const f = faults(req);
      const removed = f.list().length;
      f.clear();
      return json({ removed });
    },

    removeFault(req: HttpRequest): Reply {
      const f = faults(req);
      return json({ removed: /^\d+$/.test(req.params.id!) && f.remove(Number(req.params.id)) ? 1 : 0 });
    },

    clock(req: HttpRequest): Reply {
      req.raw.resume();
      return json(clockState(deps.timeControl ?? refuse(req)));
    },

    async advanceClock(req: HttpRequest): Promise<Reply> {
      if (!deps.timeControl) refuse(req);
      const body = await readJsonObject(req.raw);
      const ms = Number(body.advance_ms);
      if (typeof body.advance_ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw webErrors.badClockMove();
      return json(await advanceTime(deps, ms));
    },
  };
}
