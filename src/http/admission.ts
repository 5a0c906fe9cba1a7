import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestSink } from './listeners.ts';

/** Requests (and upgrades) started per event-loop turn; the rest wait for the next turns. */
export const REQUESTS_PER_TURN = 8;

/**
 * Hands requests to `sink` at most `perTurn` per event-loop turn, in arrival order, the rest
 * after `setImmediate`.
 *
 * WHY: Node accepts one new connection per turn of the event loop, and in one turn it runs the
 * handler of every request that arrived meanwhile. Under load (32 busy connections) a turn grows
 * to dozens of requests, turns become few, and fresh connections wait in the kernel's accept
 * queue for seconds. Starting a bounded number per turn keeps turns short and frequent, so
 * connections are accepted, timers fire and the push fan-out's slices go out between them; a
 * request waits at most (queued ÷ perTurn) short turns.
 */
export function admitPerTurn(sink: RequestSink, perTurn = REQUESTS_PER_TURN): RequestSink {
  const waiting: Array<() => void> = [];
  let started = 0;
  let turnScheduled = false;

  const nextTurn = () => {
    turnScheduled = false;
    started = 0;
    while (started < perTurn && waiting.length) {
      started++;
      waiting.shift()!();
    }
    if (waiting.length || started > 0) schedule();
  };
  const schedule = () => {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(nextTurn);
  };
  const admit = (start: () => void) => {
    schedule();
    if (started < perTurn && waiting.length === 0) {
      started++;
      start();
    } else {
      waiting.push(start);
    }
  };

  return {
    request(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
      return new Promise((resolve) => admit(() => void sink.request(req, res, secure).then(resolve, resolve)));
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      admit(() => sink.upgrade(req, socket, head));
    },
  };
}
