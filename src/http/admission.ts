import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { RequestSink } from './listeners.ts';

/** Requests (and upgrades) started per event-loop turn, at most; the rest wait for the next turns. */
export const REQUESTS_PER_TURN = 8;
/** No request is started in a turn once this many milliseconds went into starting requests in it. */
export const TURN_BUDGET_MS = 10;

/**
 * Hands requests to `sink` at most `perTurn` per event-loop turn, and none once `budgetMs` went
 * into starting them, in arrival order; the rest after `setImmediate`.
 *
 * WHY: Node accepts one new connection per turn of the event loop, and in one turn it runs the
 * handler of every request that arrived meanwhile. Under load (32 busy connections) a turn grows
 * to dozens of requests, turns become few, and fresh connections wait in the kernel's accept
 * queue for seconds. Starting a bounded number per turn keeps turns short and frequent, so
 * connections are accepted, timers fire and the push fan-out's slices go out between them; a
 * request waits at most (queued ÷ perTurn) short turns.
 */
/** An admission: a sink that also says when every request it queued has been started. */
export interface Admission extends RequestSink {
  /** Resolves once no request waits for its turn (at once when none does). */
  idle(): Promise<void>;
}

export function admitPerTurn(sink: RequestSink, perTurn = REQUESTS_PER_TURN, budgetMs = TURN_BUDGET_MS): Admission {
  const waiting: Array<() => void> = [];
  let emptied: Array<() => void> = [];
  let started = 0;
  /** Time spent starting requests in this turn (their synchronous part: SQLite work included). */
  let spent = 0;
  let turnScheduled = false;
  const room = () => started < perTurn && spent < budgetMs;
  const start = (run: () => void) => {
    started++;
    const t0 = performance.now();
    run();
    spent += performance.now() - t0;
  };

  const nextTurn = () => {
    turnScheduled = false;
    started = 0;
    spent = 0;
    while (room() && waiting.length) start(waiting.shift()!);
    sink.turnEnded?.();
    if (waiting.length || started > 0) schedule();
    if (waiting.length === 0 && emptied.length) {
      const resolve = emptied;
      emptied = [];
      for (const r of resolve) r();
    }
  };
  const schedule = () => {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(nextTurn);
  };
  const admit = (run: () => void) => {
    schedule();
    if (room() && waiting.length === 0) start(run);
    else waiting.push(run);
  };

  return {
    idle(): Promise<void> {
      // A shutdown asks: requests still queued here are not in flight in the dispatcher yet.
      return waiting.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => emptied.push(resolve));
    },
    request(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
      // As before admission, nothing waits for the answer (the sink never rejects).
      schedule();
      if (room() && waiting.length === 0) {
        // Started at once (most requests): no closure to queue.
        started++;
        const t0 = performance.now();
        void sink.request(req, res, secure);
        spent += performance.now() - t0;
      } else waiting.push(() => void sink.request(req, res, secure));
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // A client that gave up while it waited is not answered.
      admit(() => (socket.destroyed ? undefined : sink.upgrade(req, socket, head)));
    },
  };
}
