import cluster from 'node:cluster';

/**
 * `NOTIFY24_ACCEPTOR=1`: `notify24 serve` becomes two processes. This one (the primary) only
 * accepts connections and hands each to the server process (Node's cluster module, round
 * robin, one worker), which serves exactly as it does alone.
 *
 * WHY: Node accepts one new connection per turn of the event loop. A server busy with push
 * fan-out and REST traffic has few, long turns, so fresh connections wait in the kernel's accept
 * queue (and time out when it fills). The primary's loop does nothing else, so it accepts at
 * once; the server receives the connections as messages on its IPC channel, many per turn.
 *
 * Returns the server process's exit code once it has stopped. SIGINT/SIGTERM are passed on as
 * a `shutdown` message (a terminal's Ctrl-C also reaches the server directly; it stops once).
 */
export async function runAcceptor(): Promise<number> {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const worker = cluster.fork();
  const stop = () => {
    if (worker.isConnected()) worker.send('shutdown');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => worker.once('exit', (c, signal) => resolve(signal ? 1 : (c ?? 1))));
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  return code;
}

/** In the server process of an acceptor pair: resolves when the primary asks it to stop. */
export function shutdownRequested(): Promise<'shutdown'> | null {
  if (!cluster.isWorker) return null;
  return new Promise((resolve) => process.on('message', (m) => m === 'shutdown' && resolve('shutdown')));
}

/** In the server process of an acceptor pair, once stopped: closes the IPC channel so it can exit. */
export function leaveAcceptor(): void {
  if (cluster.isWorker) process.disconnect?.();
}

export const isAcceptorPrimary = (enabled: boolean) => enabled && cluster.isPrimary;
