import type { AddressInfo, Server } from 'node:net';
import { acceptQueues, listenOverflows } from './accept-queue.ts';
import { eventLoopDelay } from './event-loop.ts';
import type { ServerMetrics } from './metrics.ts';

export type ServingMetrics = Pick<ServerMetrics, 'eventLoopDelay' | 'acceptQueue' | 'listenOverflows' | 'connectionsAccepted'>;

/**
 * Feeds the metrics that say whether new clients get in: event-loop delay, accept queues and
 * accepted connections of the given listeners. Returns the function that stops the monitor.
 */
export function observeServing(metrics: ServingMetrics, listeners: Array<{ name: string; server: Server }>): () => void {
  const delay = eventLoopDelay();
  metrics.eventLoopDelay.sampleWith(() => delay.read());
  const ports = listeners.map((l) => ({ name: l.name, port: (l.server.address() as AddressInfo).port }));
  metrics.acceptQueue.sampleWith(() => acceptQueues(ports));
  metrics.listenOverflows.sampleWith(async () => {
    const n = await listenOverflows();
    if (n === null) throw new Error('no /proc/net/netstat');
    return n;
  });
  for (const l of listeners) l.server.on('connection', () => metrics.connectionsAccepted.inc({ listener: l.name }));
  return () => delay.stop();
}
