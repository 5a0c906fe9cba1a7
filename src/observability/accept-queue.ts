import { readFile } from 'node:fs/promises';
import type { Sample } from './registry.ts';

const LISTEN = '0A';

/**
 * Connections the kernel has completed but the server has not accepted yet, per listening
 * port, from `/proc/net/tcp{,6}` (for a listening socket its receive-queue column is the accept
 * queue). A queue that stays above 0 means new clients wait for the event loop; one that reaches
 * the backlog (511, or `net.core.somaxconn` if lower) means the kernel drops new connections.
 * Linux only: elsewhere there is nothing to read and no series is exported.
 */
export async function acceptQueues(listeners: Array<{ name: string; port: number }>): Promise<Sample<'listener'>> {
  const texts = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  return listenQueues(texts.join('\n'), listeners);
}

/** The accept queue of each listener's port in the text of `/proc/net/tcp{,6}`. */
export function listenQueues(procNetTcp: string, listeners: Array<{ name: string; port: number }>): Sample<'listener'> {
  const depth = new Map<number, number>();
  for (const line of procNetTcp.split('\n')) {
    // sl local_address rem_address st tx_queue:rx_queue ...
    const f = line.trim().split(/\s+/);
    if (f[3] !== LISTEN) continue;
    const port = parseInt(f[1]!.slice(f[1]!.lastIndexOf(':') + 1), 16);
    const queued = parseInt(f[4]!.split(':')[1]!, 16);
    if (listeners.some((l) => l.port === port)) depth.set(port, (depth.get(port) ?? 0) + queued);
  }
  return listeners.filter((l) => depth.has(l.port)).map((l) => [{ listener: l.name }, depth.get(l.port)!]);
}

/**
 * Times any listening socket on this host found its accept queue full (`ListenOverflows` of
 * `/proc/net/netstat`): host-wide, since boot. Null where it cannot be read.
 */
export async function listenOverflows(): Promise<number | null> {
  const text = await readFile('/proc/net/netstat', 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (lines.length < 2) return null;
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  const i = names.indexOf('ListenOverflows');
  return i < 0 ? null : Number(values[i]);
}
